# NurViD task 2, action recognition on trimmed segments: VideoMAE ViT-B/16, one 16x4 clip.
_base_ = ['../_base_/models/videomae_b.py', '../_base_/datasets/nurvid_trimmed_dense.py',
          '../_base_/schedules/adamw_30e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=177))
clip = dict(clip_len=16, frame_interval=4, num_clips=1, mode='dense')
# the dense base's pipelines with this model's clip in their sampling step
train_pipeline = [dict(step, **clip) if step['type'] == 'SampleTimeRangeFrames' else step
                  for step in _base_.train_pipeline]
test_pipeline = [dict(step, **clip) if step['type'] == 'SampleTimeRangeFrames' else step
                 for step in _base_.test_pipeline]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
