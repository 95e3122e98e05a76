CREATE TABLE `run_epochs` (
	`run_id` integer NOT NULL,
	`epoch` integer NOT NULL,
	`train_loss` real NOT NULL,
	`train_accuracy` real NOT NULL,
	`dev_loss` real,
	`dev_accuracy` real,
	`seconds` real NOT NULL,
	PRIMARY KEY(`run_id`, `epoch`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `run_weights` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`safetensors` blob NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`config` text NOT NULL,
	`dataset` text NOT NULL,
	`epochs_planned` integer NOT NULL,
	`device` text,
	`test` text,
	`error` text,
	`diverged_at` text,
	`study_id` integer,
	`trial_number` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`);--> statement-breakpoint
CREATE INDEX `runs_study_idx` ON `runs` (`study_id`);--> statement-breakpoint
CREATE TABLE `studies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`direction` text NOT NULL,
	`spec` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `studies_name_idx` ON `studies` (`name`);--> statement-breakpoint
CREATE TABLE `trial_intermediate_values` (
	`trial_id` integer NOT NULL,
	`step` integer NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`trial_id`, `step`),
	FOREIGN KEY (`trial_id`) REFERENCES `trials`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `trial_params` (
	`trial_id` integer NOT NULL,
	`name` text NOT NULL,
	`internal_value` real NOT NULL,
	`distribution` text NOT NULL,
	PRIMARY KEY(`trial_id`, `name`),
	FOREIGN KEY (`trial_id`) REFERENCES `trials`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `trials` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`study_id` integer NOT NULL,
	`number` integer NOT NULL,
	`state` text NOT NULL,
	`value` real,
	`user_attrs` text DEFAULT '{}' NOT NULL,
	`system_attrs` text DEFAULT '{}' NOT NULL,
	`run_id` integer,
	`worker` text,
	`heartbeat_at` integer,
	`datetime_start` integer,
	`datetime_complete` integer,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trials_study_number_idx` ON `trials` (`study_id`,`number`);--> statement-breakpoint
CREATE INDEX `trials_state_idx` ON `trials` (`study_id`,`state`);