# NurViD task 1, procedure recognition on untrimmed videos: TSN-R50, 8 segments over the whole video.
_base_ = ['../_base_/models/tsn_r50.py', '../_base_/datasets/nurvid_untrimmed.py', '../_base_/schedules/sgd_50e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=51))
