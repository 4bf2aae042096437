# NurViD task 2, action recognition on trimmed segments: VideoMAE ViT-B/16, one 16x4 clip.
_base_ = ['../_base_/models/videomae_b.py', '../_base_/datasets/nurvid_trimmed_dense.py',
          '../_base_/schedules/adamw_30e.py',
          '../_base_/default_runtime.py']
model = dict(cls_head=dict(num_classes=177))
clip = dict(clip_len=16, frame_interval=4, num_clips=1, mode='dense')
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
