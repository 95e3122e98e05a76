ALTER TABLE `runs` ADD `attempt` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `lease_expires_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `reserved_for` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `cancel_requested` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `studies` ADD `active` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `trials` ADD `grace_seconds` integer;