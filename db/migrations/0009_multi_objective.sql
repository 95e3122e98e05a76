ALTER TABLE `studies` ADD `directions` text;--> statement-breakpoint
ALTER TABLE `trials` ADD `values` text;