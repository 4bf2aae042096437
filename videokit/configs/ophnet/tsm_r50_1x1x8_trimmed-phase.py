# OphNet phase recognition on trimmed segments (challenge ids, 52 classes): TSM-R50, 8 segments.
_base_ = ['../_base_/models/tsm_r50.py', '../_base_/datasets/ophnet_trimmed.py', '../_base_/schedules/sgd_50e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=52))
level = 'phase'
train_dataloader = dict(dataset=dict(level=level))
val_dataloader = dict(dataset=dict(level=level))
test_dataloader = dict(dataset=dict(level=level))
