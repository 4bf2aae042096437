# ophnet operation localization, videokit's conv detector, on R50 features (tools/extract_features.py); mAP @ tIoU
# 0.3:0.1:0.7.
_base_ = ['../_base_/models/detection_conv.py', '../_base_/datasets/ophnet_operation_features.py',
          '../_base_/default_runtime.py']
model = dict(num_classes=107)
