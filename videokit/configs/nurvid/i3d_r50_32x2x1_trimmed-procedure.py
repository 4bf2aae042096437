# NurViD task 2, procedure recognition on trimmed segments: as i3d_r50_32x2x1_trimmed-action.py, procedure labels.
_base_ = ['./i3d_r50_32x2x1_trimmed-action.py']
model = dict(cls_head=dict(num_classes=51))
level = 'procedure'
train_dataloader = dict(dataset=dict(level=level))
val_dataloader = dict(dataset=dict(level=level))
test_dataloader = dict(dataset=dict(level=level))
