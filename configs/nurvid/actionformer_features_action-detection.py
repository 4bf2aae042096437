# NurViD task 3, action detection on untrimmed videos: ActionFormer-class detector on backbone features.
# Features: tools/extract_features.py into $NURVID_FEATURES (default data/nurvid/features); mAP @ tIoU 0.3:0.1:0.7.
_base_ = ['../_base_/models/actionformer.py', '../_base_/datasets/features_detection.py',
          '../_base_/default_runtime.py']
model = dict(num_classes=177)
data = dict(ann_file='{{$NURVID_ANNOTATIONS:annotations/nurvid/annotations.json}}', feature_dir='{{$NURVID_FEATURES:data/nurvid/features}}', level='action')
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = dict(dataset=data)
