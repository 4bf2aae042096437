# The demo's detection stage: videokit's conv detector (detection_conv.py) on features the demo's trained
# recognizer extracted (tools/extract_features.py), steps localized in untrimmed demo videos.
_base_ = ['../_base_/models/detection_conv.py', '../_base_/datasets/features_detection.py',
          '../_base_/default_runtime.py']
data_root = '{{$VIDEOKIT_DEMO_ROOT:demo_output}}'

model = dict(in_channels=512, num_classes=12, embed_dims=128, num_levels=4,
             test_cfg=dict(_delete_=True, nms='soft', sigma=0.5, max_seg_num=50))
data = dict(ann_file=data_root + '/converted/demo.canonical.json', feature_dir=data_root + '/features',
            level='action')
train_dataloader = dict(batch_size=4, num_workers=0, dataset=dict(data, max_seq_len=256))
val_dataloader = dict(batch_size=4, num_workers=0, dataset=data)
test_dataloader = dict(batch_size=4, num_workers=0, dataset=data)

max_epochs = 40
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True)]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, save_best=None, max_keep_ckpts=1))
custom_hooks = []
randomness = dict(seed=0)
