# NurViD task 1: procedure recognition on untrimmed videos (TSN sampling over the whole video).
# Splits: task1_3/{train,val,test}.csv. Videos: set NURVID_VIDEOS or --cfg-options ...data_prefix.video=...
_base_ = ['./nurvid_trimmed.py']
dataset_type = 'UntrimmedVideoDataset'
train_dataloader = dict(dataset=dict(_delete_=True, type=dataset_type, ann_file={{_base_.ann_file}}, split='train',
                                     data_prefix=dict(video={{_base_.video_root}}), pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(_delete_=True, type=dataset_type, ann_file={{_base_.ann_file}}, split='val',
                                   data_prefix=dict(video={{_base_.video_root}}), pipeline={{_base_.val_pipeline}},
                                   test_mode=True))
test_dataloader = dict(dataset=dict(_delete_=True, type=dataset_type, ann_file={{_base_.ann_file}}, split='test',
                                    data_prefix=dict(video={{_base_.video_root}}), pipeline={{_base_.test_pipeline}},
                                    test_mode=True))
