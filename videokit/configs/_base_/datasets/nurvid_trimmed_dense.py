# NurViD task 2 for 3D models: one dense clip (32 frames, every 2nd) inside each segment.
_base_ = ['./nurvid_trimmed.py']
clip = dict(clip_len=32, frame_interval=2, num_clips=1, mode='dense')
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleTimeRangeFrames', **clip),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleTimeRangeFrames', test_mode=True, **clip),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=4, dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
