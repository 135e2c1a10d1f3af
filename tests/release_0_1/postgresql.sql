-- Release 0.1's schema (tables made by create_all, before migrations), dumped by pg_dump --schema-only.

CREATE TABLE public.approval (
    id integer NOT NULL,
    task_id integer NOT NULL,
    username character varying(60) NOT NULL,
    comment character varying NOT NULL,
    data json NOT NULL,
    at timestamp with time zone NOT NULL
);

CREATE SEQUENCE public.approval_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.approval_id_seq OWNED BY public.approval.id;

CREATE TABLE public.audit_event (
    id integer NOT NULL,
    at timestamp with time zone NOT NULL,
    actor character varying NOT NULL,
    action character varying NOT NULL,
    case_id integer,
    task_id integer,
    detail json NOT NULL,
    prev_hash character varying(64) NOT NULL,
    hash character varying(64) NOT NULL
);

CREATE SEQUENCE public.audit_event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.audit_event_id_seq OWNED BY public.audit_event.id;

CREATE TABLE public."case" (
    programme character varying(60) NOT NULL,
    title character varying(200) NOT NULL,
    id integer NOT NULL,
    ref character varying(40) NOT NULL,
    uid character varying(32) NOT NULL,
    status character varying(40) NOT NULL,
    current_step character varying,
    flow_run_id character varying,
    data json NOT NULL,
    flags json NOT NULL,
    outcome character varying,
    opened_by character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    closed_at timestamp with time zone,
    pseudonymised_at timestamp with time zone
);

CREATE SEQUENCE public.case_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.case_id_seq OWNED BY public."case".id;

CREATE TABLE public.decision (
    id integer NOT NULL,
    task_id integer NOT NULL,
    outcome character varying(40) NOT NULL,
    comment character varying NOT NULL,
    data json NOT NULL,
    decided_by character varying NOT NULL,
    decided_at timestamp with time zone NOT NULL,
    delivered_at timestamp with time zone,
    applied_at timestamp with time zone,
    delivery_attempts integer NOT NULL,
    delivery_error character varying
);

CREATE SEQUENCE public.decision_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.decision_id_seq OWNED BY public.decision.id;

CREATE TABLE public.delegation (
    id integer NOT NULL,
    delegator character varying NOT NULL,
    delegate character varying NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    created_by character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked boolean NOT NULL
);

CREATE SEQUENCE public.delegation_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.delegation_id_seq OWNED BY public.delegation.id;

CREATE TABLE public.human_task (
    id integer NOT NULL,
    case_id integer NOT NULL,
    programme character varying(60) NOT NULL,
    step character varying(80) NOT NULL,
    title character varying NOT NULL,
    form_type character varying NOT NULL,
    role character varying(40) NOT NULL,
    status character varying(40) NOT NULL,
    flow_run_id character varying NOT NULL,
    requested_by character varying NOT NULL,
    context json NOT NULL,
    due_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    approvals_required integer NOT NULL,
    assignee character varying(60)
);

CREATE SEQUENCE public.human_task_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.human_task_id_seq OWNED BY public.human_task.id;

CREATE TABLE public.notification (
    id integer NOT NULL,
    key character varying(200) NOT NULL,
    kind character varying(40) NOT NULL,
    recipient character varying,
    tags character varying(400) NOT NULL,
    language character varying(5) NOT NULL,
    title character varying NOT NULL,
    body character varying NOT NULL,
    task_id integer,
    status character varying(40) NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    claimed_by character varying(40),
    claimed_at timestamp with time zone,
    delivered_to json NOT NULL,
    last_error character varying,
    created_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone
);

CREATE SEQUENCE public.notification_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.notification_id_seq OWNED BY public.notification.id;

CREATE TABLE public.notify_preference (
    username character varying(60) NOT NULL,
    digest boolean NOT NULL
);

CREATE TABLE public.person (
    full_name character varying(200) NOT NULL,
    nationality character varying(2) NOT NULL,
    birth_date date,
    is_principal boolean NOT NULL,
    id integer NOT NULL,
    case_id integer NOT NULL
);

CREATE SEQUENCE public.person_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.person_id_seq OWNED BY public.person.id;

CREATE TABLE public.quota_usage (
    id integer NOT NULL,
    rule character varying NOT NULL,
    period character varying NOT NULL,
    "limit" integer NOT NULL,
    used integer NOT NULL
);

CREATE SEQUENCE public.quota_usage_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.quota_usage_id_seq OWNED BY public.quota_usage.id;

CREATE TABLE public.reminder_mark (
    task_id integer NOT NULL,
    stage integer NOT NULL
);

CREATE TABLE public.role_grant (
    id integer NOT NULL,
    username character varying NOT NULL,
    role character varying(40) NOT NULL,
    programme character varying NOT NULL
);

CREATE SEQUENCE public.role_grant_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.role_grant_id_seq OWNED BY public.role_grant.id;

CREATE TABLE public.steprun (
    id integer NOT NULL,
    case_id integer NOT NULL,
    step character varying(80) NOT NULL,
    title character varying NOT NULL,
    result json NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL
);

CREATE SEQUENCE public.steprun_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.steprun_id_seq OWNED BY public.steprun.id;

CREATE TABLE public."user" (
    username character varying(60) NOT NULL,
    full_name character varying NOT NULL,
    email character varying NOT NULL,
    language character varying NOT NULL,
    active boolean NOT NULL,
    password_hash character varying(100) NOT NULL,
    failed_logins integer NOT NULL,
    locked_until timestamp with time zone
);

ALTER TABLE ONLY public.approval ALTER COLUMN id SET DEFAULT nextval('public.approval_id_seq'::regclass);

ALTER TABLE ONLY public.audit_event ALTER COLUMN id SET DEFAULT nextval('public.audit_event_id_seq'::regclass);

ALTER TABLE ONLY public."case" ALTER COLUMN id SET DEFAULT nextval('public.case_id_seq'::regclass);

ALTER TABLE ONLY public.decision ALTER COLUMN id SET DEFAULT nextval('public.decision_id_seq'::regclass);

ALTER TABLE ONLY public.delegation ALTER COLUMN id SET DEFAULT nextval('public.delegation_id_seq'::regclass);

ALTER TABLE ONLY public.human_task ALTER COLUMN id SET DEFAULT nextval('public.human_task_id_seq'::regclass);

ALTER TABLE ONLY public.notification ALTER COLUMN id SET DEFAULT nextval('public.notification_id_seq'::regclass);

ALTER TABLE ONLY public.person ALTER COLUMN id SET DEFAULT nextval('public.person_id_seq'::regclass);

ALTER TABLE ONLY public.quota_usage ALTER COLUMN id SET DEFAULT nextval('public.quota_usage_id_seq'::regclass);

ALTER TABLE ONLY public.role_grant ALTER COLUMN id SET DEFAULT nextval('public.role_grant_id_seq'::regclass);

ALTER TABLE ONLY public.steprun ALTER COLUMN id SET DEFAULT nextval('public.steprun_id_seq'::regclass);

ALTER TABLE ONLY public.approval
    ADD CONSTRAINT approval_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.approval
    ADD CONSTRAINT approval_task_id_username_key UNIQUE (task_id, username);

ALTER TABLE ONLY public.audit_event
    ADD CONSTRAINT audit_event_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public."case"
    ADD CONSTRAINT case_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public."case"
    ADD CONSTRAINT case_uid_key UNIQUE (uid);

ALTER TABLE ONLY public.decision
    ADD CONSTRAINT decision_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.decision
    ADD CONSTRAINT decision_task_id_key UNIQUE (task_id);

ALTER TABLE ONLY public.delegation
    ADD CONSTRAINT delegation_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.human_task
    ADD CONSTRAINT human_task_case_id_step_key UNIQUE (case_id, step);

ALTER TABLE ONLY public.human_task
    ADD CONSTRAINT human_task_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.notification
    ADD CONSTRAINT notification_key_key UNIQUE (key);

ALTER TABLE ONLY public.notification
    ADD CONSTRAINT notification_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.notify_preference
    ADD CONSTRAINT notify_preference_pkey PRIMARY KEY (username);

ALTER TABLE ONLY public.person
    ADD CONSTRAINT person_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.quota_usage
    ADD CONSTRAINT quota_usage_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.quota_usage
    ADD CONSTRAINT quota_usage_rule_period_key UNIQUE (rule, period);

ALTER TABLE ONLY public.reminder_mark
    ADD CONSTRAINT reminder_mark_pkey PRIMARY KEY (task_id);

ALTER TABLE ONLY public.role_grant
    ADD CONSTRAINT role_grant_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.role_grant
    ADD CONSTRAINT role_grant_username_role_programme_key UNIQUE (username, role, programme);

ALTER TABLE ONLY public.steprun
    ADD CONSTRAINT steprun_case_id_step_key UNIQUE (case_id, step);

ALTER TABLE ONLY public.steprun
    ADD CONSTRAINT steprun_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public."user"
    ADD CONSTRAINT user_pkey PRIMARY KEY (username);

CREATE INDEX ix_approval_task_id ON public.approval USING btree (task_id);

CREATE INDEX ix_audit_event_action ON public.audit_event USING btree (action);

CREATE INDEX ix_audit_event_at ON public.audit_event USING btree (at);

CREATE INDEX ix_audit_event_case_id ON public.audit_event USING btree (case_id);

CREATE INDEX ix_case_flow_run_id ON public."case" USING btree (flow_run_id);

CREATE INDEX ix_case_programme ON public."case" USING btree (programme);

CREATE UNIQUE INDEX ix_case_ref ON public."case" USING btree (ref);

CREATE INDEX ix_case_status ON public."case" USING btree (status);

CREATE INDEX ix_decision_applied_at ON public.decision USING btree (applied_at);

CREATE INDEX ix_delegation_delegate ON public.delegation USING btree (delegate);

CREATE INDEX ix_delegation_delegator ON public.delegation USING btree (delegator);

CREATE INDEX ix_human_task_assignee ON public.human_task USING btree (assignee);

CREATE INDEX ix_human_task_case_id ON public.human_task USING btree (case_id);

CREATE INDEX ix_human_task_due_at ON public.human_task USING btree (due_at);

CREATE INDEX ix_human_task_programme ON public.human_task USING btree (programme);

CREATE INDEX ix_human_task_role ON public.human_task USING btree (role);

CREATE INDEX ix_human_task_status ON public.human_task USING btree (status);

CREATE INDEX ix_notification_kind ON public.notification USING btree (kind);

CREATE INDEX ix_notification_next_attempt_at ON public.notification USING btree (next_attempt_at);

CREATE INDEX ix_notification_recipient ON public.notification USING btree (recipient);

CREATE INDEX ix_notification_status ON public.notification USING btree (status);

CREATE INDEX ix_notification_task_id ON public.notification USING btree (task_id);

CREATE INDEX ix_person_case_id ON public.person USING btree (case_id);

CREATE INDEX ix_role_grant_username ON public.role_grant USING btree (username);

CREATE INDEX ix_steprun_case_id ON public.steprun USING btree (case_id);

ALTER TABLE ONLY public.approval
    ADD CONSTRAINT approval_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.human_task(id);

ALTER TABLE ONLY public.decision
    ADD CONSTRAINT decision_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.human_task(id);

ALTER TABLE ONLY public.delegation
    ADD CONSTRAINT delegation_delegate_fkey FOREIGN KEY (delegate) REFERENCES public."user"(username);

ALTER TABLE ONLY public.delegation
    ADD CONSTRAINT delegation_delegator_fkey FOREIGN KEY (delegator) REFERENCES public."user"(username);

ALTER TABLE ONLY public.human_task
    ADD CONSTRAINT human_task_case_id_fkey FOREIGN KEY (case_id) REFERENCES public."case"(id);

ALTER TABLE ONLY public.notify_preference
    ADD CONSTRAINT notify_preference_username_fkey FOREIGN KEY (username) REFERENCES public."user"(username);

ALTER TABLE ONLY public.person
    ADD CONSTRAINT person_case_id_fkey FOREIGN KEY (case_id) REFERENCES public."case"(id);

ALTER TABLE ONLY public.reminder_mark
    ADD CONSTRAINT reminder_mark_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.human_task(id);

ALTER TABLE ONLY public.role_grant
    ADD CONSTRAINT role_grant_username_fkey FOREIGN KEY (username) REFERENCES public."user"(username);

ALTER TABLE ONLY public.steprun
    ADD CONSTRAINT steprun_case_id_fkey FOREIGN KEY (case_id) REFERENCES public."case"(id);

