# nurvid action localization on per-video features: the task's dataset (action level), over
# features_detection.py. Features: tools/extract_features.py into $NURVID_FEATURES (default
# data/nurvid/features); annotations: $NURVID_ANNOTATIONS (`videokit prepare` writes the usable part).
_base_ = ['./features_detection.py']
data = dict(ann_file='{{$NURVID_ANNOTATIONS:annotations/nurvid/annotations.json}}',
            feature_dir='{{$NURVID_FEATURES:data/nurvid/features}}', level='action')
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = dict(dataset=data)
