# NurViD task 2 for 3D models: one dense clip (32 frames, every 2nd) inside each segment, as NCTHW.
_base_ = ['./nurvid_trimmed.py']
clip = dict(clip_len=32, frame_interval=2, num_clips=1, mode='dense')
# nurvid_trimmed.py's pipelines with the dense clip in their sampling step and 3D input
train_pipeline = [dict(step, **clip) if step['type'] == 'SampleTimeRangeFrames'
                  else dict(step, input_format='NCTHW') if step['type'] == 'FormatShape' else step
                  for step in _base_.train_pipeline]
test_pipeline = [dict(step, **clip) if step['type'] == 'SampleTimeRangeFrames'
                 else dict(step, input_format='NCTHW') if step['type'] == 'FormatShape' else step
                 for step in _base_.val_pipeline]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=4, dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
