ALTER TABLE `runs` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `heartbeat_at` integer;