# OphNet surgery-type recognition on untrimmed videos: multi-label (a video holds several surgeries).
_base_ = ['./ophnet_trimmed.py']
dataset_type = 'UntrimmedVideoDataset'
train_dataloader = dict(dataset=dict(_delete_=True, type=dataset_type, ann_file={{_base_.ann_file}}, split='train',
                                     multi_label=True, data_prefix=dict(video={{_base_.video_root}}),
                                     pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(_delete_=True, type=dataset_type, ann_file={{_base_.ann_file}}, split='val',
                                   multi_label=True, data_prefix=dict(video={{_base_.video_root}}),
                                   pipeline={{_base_.val_pipeline}}, test_mode=True))
test_dataloader = dict(dataset=dict(_delete_=True, type=dataset_type, ann_file={{_base_.ann_file}}, split='test',
                                    multi_label=True, data_prefix=dict(video={{_base_.video_root}}),
                                    pipeline={{_base_.test_pipeline}}, test_mode=True))
val_evaluator = dict(_delete_=True, type='MultiLabelMetric')
test_evaluator = val_evaluator
