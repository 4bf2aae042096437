# ophnet phase localization on per-video features: the task's dataset (phase level), over
# features_detection.py. Features: tools/extract_features.py into $OPHNET_FEATURES (default
# data/ophnet/features); annotations: $OPHNET_ANNOTATIONS (`videokit prepare` writes the usable part).
_base_ = ['./features_detection.py']
data = dict(ann_file='{{$OPHNET_ANNOTATIONS:annotations/ophnet/annotations.json}}',
            feature_dir='{{$OPHNET_FEATURES:data/ophnet/features}}', level='phase')
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = dict(dataset=data)
