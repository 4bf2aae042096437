# OphNet phase localization as the paper's best row: TriDet on VideoMAEv2 features made elsewhere (one
# <video_id>.npy [T, 1408] per video, no sidecar: a 16-frame snippet every 16 frames at 30 fps).
_base_ = ['./tridet_r50_phase-localization.py']
model = dict(in_channels=1408)  # num_classes=52 from the base
data = dict(feature_dir='{{$OPHNET_FEATURES:data/ophnet/videomaev2_features}}',
            feature_spec=dict(fps=30, stride=16, window=16))
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = dict(dataset=data)
