-- Release 0.1's schema (tables made by create_all, before migrations), dumped by sqlite3's iterdump.
CREATE TABLE approval (
	id INTEGER NOT NULL,
	task_id INTEGER NOT NULL,
	username VARCHAR(60) NOT NULL,
	comment VARCHAR NOT NULL,
	data JSON NOT NULL,
	at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (task_id, username),
	FOREIGN KEY(task_id) REFERENCES human_task (id)
);
CREATE TABLE audit_event (
	id INTEGER NOT NULL,
	at DATETIME NOT NULL,
	actor VARCHAR NOT NULL,
	action VARCHAR NOT NULL,
	case_id INTEGER,
	task_id INTEGER,
	detail JSON NOT NULL,
	prev_hash VARCHAR(64) NOT NULL,
	hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE "case" (
	programme VARCHAR(60) NOT NULL,
	title VARCHAR(200) NOT NULL,
	id INTEGER NOT NULL,
	ref VARCHAR(40) NOT NULL,
	uid VARCHAR(32) NOT NULL,
	status VARCHAR(40) NOT NULL,
	current_step VARCHAR,
	flow_run_id VARCHAR,
	data JSON NOT NULL,
	flags JSON NOT NULL,
	outcome VARCHAR,
	opened_by VARCHAR NOT NULL,
	created_at DATETIME NOT NULL,
	closed_at DATETIME,
	pseudonymised_at DATETIME,
	PRIMARY KEY (id),
	UNIQUE (uid)
);
CREATE TABLE decision (
	id INTEGER NOT NULL,
	task_id INTEGER NOT NULL,
	outcome VARCHAR(40) NOT NULL,
	comment VARCHAR NOT NULL,
	data JSON NOT NULL,
	decided_by VARCHAR NOT NULL,
	decided_at DATETIME NOT NULL,
	delivered_at DATETIME,
	applied_at DATETIME,
	delivery_attempts INTEGER NOT NULL,
	delivery_error VARCHAR,
	PRIMARY KEY (id),
	UNIQUE (task_id),
	FOREIGN KEY(task_id) REFERENCES human_task (id)
);
CREATE TABLE delegation (
	id INTEGER NOT NULL,
	delegator VARCHAR NOT NULL,
	delegate VARCHAR NOT NULL,
	starts_on DATE NOT NULL,
	ends_on DATE NOT NULL,
	created_by VARCHAR NOT NULL,
	created_at DATETIME NOT NULL,
	revoked BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(delegator) REFERENCES user (username),
	FOREIGN KEY(delegate) REFERENCES user (username)
);
CREATE TABLE human_task (
	id INTEGER NOT NULL,
	case_id INTEGER NOT NULL,
	programme VARCHAR(60) NOT NULL,
	step VARCHAR(80) NOT NULL,
	title VARCHAR NOT NULL,
	form_type VARCHAR NOT NULL,
	role VARCHAR(40) NOT NULL,
	status VARCHAR(40) NOT NULL,
	flow_run_id VARCHAR NOT NULL,
	requested_by VARCHAR NOT NULL,
	context JSON NOT NULL,
	due_at DATETIME NOT NULL,
	created_at DATETIME NOT NULL,
	approvals_required INTEGER NOT NULL,
	assignee VARCHAR(60),
	PRIMARY KEY (id),
	UNIQUE (case_id, step),
	FOREIGN KEY(case_id) REFERENCES "case" (id)
);
CREATE TABLE notification (
	id INTEGER NOT NULL,
	"key" VARCHAR(200) NOT NULL,
	kind VARCHAR(40) NOT NULL,
	recipient VARCHAR,
	tags VARCHAR(400) NOT NULL,
	language VARCHAR(5) NOT NULL,
	title VARCHAR NOT NULL,
	body VARCHAR NOT NULL,
	task_id INTEGER,
	status VARCHAR(40) NOT NULL,
	attempts INTEGER NOT NULL,
	next_attempt_at DATETIME NOT NULL,
	claimed_by VARCHAR(40),
	claimed_at DATETIME,
	delivered_to JSON NOT NULL,
	last_error VARCHAR,
	created_at DATETIME NOT NULL,
	sent_at DATETIME,
	PRIMARY KEY (id),
	UNIQUE ("key")
);
CREATE TABLE notify_preference (
	username VARCHAR(60) NOT NULL,
	digest BOOLEAN NOT NULL,
	PRIMARY KEY (username),
	FOREIGN KEY(username) REFERENCES user (username)
);
CREATE TABLE person (
	full_name VARCHAR(200) NOT NULL,
	nationality VARCHAR(2) NOT NULL,
	birth_date DATE,
	is_principal BOOLEAN NOT NULL,
	id INTEGER NOT NULL,
	case_id INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(case_id) REFERENCES "case" (id)
);
CREATE TABLE quota_usage (
	id INTEGER NOT NULL,
	rule VARCHAR NOT NULL,
	period VARCHAR NOT NULL,
	"limit" INTEGER NOT NULL,
	used INTEGER NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (rule, period)
);
CREATE TABLE reminder_mark (
	task_id INTEGER NOT NULL,
	stage INTEGER NOT NULL,
	PRIMARY KEY (task_id),
	FOREIGN KEY(task_id) REFERENCES human_task (id)
);
CREATE TABLE role_grant (
	id INTEGER NOT NULL,
	username VARCHAR NOT NULL,
	role VARCHAR(40) NOT NULL,
	programme VARCHAR NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (username, role, programme),
	FOREIGN KEY(username) REFERENCES user (username)
);
CREATE TABLE steprun (
	id INTEGER NOT NULL,
	case_id INTEGER NOT NULL,
	step VARCHAR(80) NOT NULL,
	title VARCHAR NOT NULL,
	result JSON NOT NULL,
	started_at DATETIME NOT NULL,
	finished_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (case_id, step),
	FOREIGN KEY(case_id) REFERENCES "case" (id)
);
CREATE TABLE user (
	username VARCHAR(60) NOT NULL,
	full_name VARCHAR NOT NULL,
	email VARCHAR NOT NULL,
	language VARCHAR NOT NULL,
	active BOOLEAN NOT NULL,
	password_hash VARCHAR(100) NOT NULL,
	failed_logins INTEGER NOT NULL,
	locked_until DATETIME,
	PRIMARY KEY (username)
);
CREATE INDEX ix_audit_event_case_id ON audit_event (case_id);
CREATE INDEX ix_audit_event_at ON audit_event (at);
CREATE INDEX ix_audit_event_action ON audit_event (action);
CREATE UNIQUE INDEX ix_case_ref ON "case" (ref);
CREATE INDEX ix_case_status ON "case" (status);
CREATE INDEX ix_case_programme ON "case" (programme);
CREATE INDEX ix_case_flow_run_id ON "case" (flow_run_id);
CREATE INDEX ix_notification_task_id ON notification (task_id);
CREATE INDEX ix_notification_next_attempt_at ON notification (next_attempt_at);
CREATE INDEX ix_notification_status ON notification (status);
CREATE INDEX ix_notification_kind ON notification (kind);
CREATE INDEX ix_notification_recipient ON notification (recipient);
CREATE INDEX ix_person_case_id ON person (case_id);
CREATE INDEX ix_steprun_case_id ON steprun (case_id);
CREATE INDEX ix_role_grant_username ON role_grant (username);
CREATE INDEX ix_delegation_delegator ON delegation (delegator);
CREATE INDEX ix_delegation_delegate ON delegation (delegate);
CREATE INDEX ix_human_task_role ON human_task (role);
CREATE INDEX ix_human_task_case_id ON human_task (case_id);
CREATE INDEX ix_human_task_status ON human_task (status);
CREATE INDEX ix_human_task_programme ON human_task (programme);
CREATE INDEX ix_human_task_due_at ON human_task (due_at);
CREATE INDEX ix_human_task_assignee ON human_task (assignee);
CREATE INDEX ix_approval_task_id ON approval (task_id);
CREATE INDEX ix_decision_applied_at ON decision (applied_at);
