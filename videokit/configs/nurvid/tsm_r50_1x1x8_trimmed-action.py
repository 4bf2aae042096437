# NurViD task 2, action recognition on trimmed segments: TSM-R50, 8 segments.
_base_ = ['../_base_/models/tsm_r50.py', '../_base_/datasets/nurvid_trimmed.py', '../_base_/schedules/sgd_50e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=177))
level = 'action'
train_dataloader = dict(dataset=dict(level=level))
val_dataloader = dict(dataset=dict(level=level))
test_dataloader = dict(dataset=dict(level=level))
