# NurViD task 2, action recognition on trimmed segments: Video Swin-T, one 32x2 clip.
_base_ = ['../_base_/models/swin_t.py', '../_base_/datasets/nurvid_trimmed_dense.py',
          '../_base_/schedules/adamw_30e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=177))
