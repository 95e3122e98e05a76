CREATE TABLE `run_predictions` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`predicted` blob NOT NULL,
	`confidence` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
