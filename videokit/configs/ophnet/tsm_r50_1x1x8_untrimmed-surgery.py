# OphNet surgery-type recognition on untrimmed videos, multi-label (80 surgery ids): TSM-R50, 8 segments, BCE loss, mAP.
_base_ = ['../_base_/models/tsm_r50.py', '../_base_/datasets/ophnet_surgery.py', '../_base_/schedules/sgd_50e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=80, multi_class=True, loss_cls=dict(type='BCELossWithLogits'),
                           average_clips='score'))
