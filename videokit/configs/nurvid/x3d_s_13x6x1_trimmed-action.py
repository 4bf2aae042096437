# NurViD task 2, action recognition on trimmed segments: X3D-S, one 13x6 clip.
_base_ = ['../_base_/models/x3d_s.py', '../_base_/datasets/nurvid_trimmed_dense.py', '../_base_/schedules/sgd_50e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=177))
clip = dict(clip_len=13, frame_interval=6, num_clips=1, mode='dense')
# the dense base's pipelines with this model's clip in their sampling step
train_pipeline = [dict(step, **clip) if step['type'] == 'SampleTimeRangeFrames' else step
                  for step in _base_.train_pipeline]
test_pipeline = [dict(step, **clip) if step['type'] == 'SampleTimeRangeFrames' else step
                 for step in _base_.test_pipeline]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
