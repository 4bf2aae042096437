# NurViD task 2, action recognition on trimmed segments: SlowFast-R50 4x16, one 32x2 clip.
_base_ = ['../_base_/models/slowfast_r50.py', '../_base_/datasets/nurvid_trimmed_dense.py',
          '../_base_/schedules/sgd_50e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=177))
