ALTER TABLE `runs` ADD `origin_study_id` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `origin_trial_number` integer;--> statement-breakpoint
CREATE INDEX `runs_origin_study_idx` ON `runs` (`origin_study_id`);