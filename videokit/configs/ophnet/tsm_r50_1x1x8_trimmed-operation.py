# OphNet operation recognition on trimmed segments (challenge ids, 107 classes): TSM-R50, 8 segments.
_base_ = ['../_base_/models/tsm_r50.py', '../_base_/datasets/ophnet_trimmed.py', '../_base_/schedules/sgd_50e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=107))
level = 'operation'
train_dataloader = dict(dataset=dict(level=level))
val_dataloader = dict(dataset=dict(level=level))
test_dataloader = dict(dataset=dict(level=level))
