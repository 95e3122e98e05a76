CREATE TABLE `run_checkpoints` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`epoch` integer NOT NULL,
	`safetensors` blob NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `continued_from` integer;