# OphNet operation localization: ActionFormer-class detector on backbone features.
# Features: tools/extract_features.py into $OPHNET_FEATURES (default data/ophnet/features); mAP @ tIoU 0.3:0.1:0.7.
_base_ = ['../_base_/models/actionformer.py', '../_base_/datasets/features_detection.py',
          '../_base_/default_runtime.py']
model = dict(num_classes=107)
data = dict(ann_file='{{$OPHNET_ANNOTATIONS:annotations/ophnet/annotations.json}}', feature_dir='{{$OPHNET_FEATURES:data/ophnet/features}}', level='operation')
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = dict(dataset=data)
