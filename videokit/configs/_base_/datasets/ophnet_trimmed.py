# OphNet phase / operation recognition on trimmed segments, read from the untrimmed videos' time ranges.
# Splits are the authors' (train / val / test). Videos: set OPHNET_VIDEOS or
# --cfg-options train_dataloader.dataset.data_prefix.video=... (and val / test).
_base_ = ['./nurvid_trimmed.py']
ann_file = '{{$OPHNET_ANNOTATIONS:annotations/ophnet/annotations.json}}'
video_root = '{{$OPHNET_VIDEOS:data/ophnet/videos}}'
level = 'phase'
dataset = dict(ann_file=ann_file, level=level, data_prefix=dict(video=video_root))
train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = dict(dataset=dataset)
