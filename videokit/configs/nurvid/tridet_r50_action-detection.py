# nurvid action localization, TriDet (SGP encoder, Trident head), on R50 features (tools/extract_features.py); mAP @
# tIoU 0.3:0.1:0.7.
_base_ = ['../_base_/models/detection_tridet.py', '../_base_/datasets/nurvid_action_features.py',
          '../_base_/default_runtime.py']
model = dict(num_classes=177)
