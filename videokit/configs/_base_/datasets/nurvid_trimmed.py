# NurViD task 2: trimmed recognition of segments, read from the untrimmed videos' time ranges.
# Splits are the authors' segment-level task2 lists. Annotations: NURVID_ANNOTATIONS (default: the bundled
# annotations/nurvid/annotations.json; `videokit prepare` writes the usable part of a download). Videos: NURVID_VIDEOS
# or
# --cfg-options train_dataloader.dataset.data_prefix.video=... (and val / test).
dataset_type = 'SegmentClipDataset'
ann_file = '{{$NURVID_ANNOTATIONS:annotations/nurvid/annotations.json}}'
video_root = '{{$NURVID_VIDEOS:data/nurvid/videos}}'
level = 'action'

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleTimeRangeFrames', clip_len=1, num_clips=8),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleTimeRangeFrames', clip_len=1, num_clips=8, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=8, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file, level=level, split='train',
                 data_prefix=dict(video=video_root), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, level=level, split='val',
                 data_prefix=dict(video=video_root), pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, level=level, split='test',
                 data_prefix=dict(video=video_root), pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='RecognitionMetric')
test_evaluator = val_evaluator
