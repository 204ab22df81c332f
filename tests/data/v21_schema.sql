CREATE TABLE users (
	id INTEGER NOT NULL, 
	username VARCHAR NOT NULL, 
	is_active BOOLEAN NOT NULL, 
	email VARCHAR, 
	groups VARCHAR, 
	full_name VARCHAR, 
	PRIMARY KEY (id), 
	UNIQUE (username)
);
CREATE TABLE parameters (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	is_modifiable BOOLEAN NOT NULL, 
	data_type VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE revisions (
	id INTEGER NOT NULL, 
	obsid INTEGER NOT NULL, 
	revision_number INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	sequence_number INTEGER NOT NULL, 
	time INTEGER NOT NULL, 
	notes VARCHAR, 
	user_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE TABLE schedules (
	id INTEGER NOT NULL, 
	order_id INTEGER, 
	user_id INTEGER, 
	start DATETIME NOT NULL, 
	stop DATETIME NOT NULL, 
	assigner_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE TABLE signoffs (
	id INTEGER NOT NULL, 
	revision_id INTEGER NOT NULL, 
	general_status VARCHAR NOT NULL, 
	general_signoff_id INTEGER, 
	general_time INTEGER, 
	acis_status VARCHAR NOT NULL, 
	acis_signoff_id INTEGER, 
	acis_time INTEGER, 
	acis_si_status VARCHAR NOT NULL, 
	acis_si_signoff_id INTEGER, 
	acis_si_time INTEGER, 
	hrc_si_status VARCHAR NOT NULL, 
	hrc_si_signoff_id INTEGER, 
	hrc_si_time INTEGER, 
	usint_status VARCHAR NOT NULL, 
	usint_signoff_id INTEGER, 
	usint_time INTEGER, 
	PRIMARY KEY (id), 
	UNIQUE (revision_id), 
	FOREIGN KEY(revision_id) REFERENCES revisions (id) ON DELETE CASCADE, 
	FOREIGN KEY(general_signoff_id) REFERENCES users (id), 
	FOREIGN KEY(acis_signoff_id) REFERENCES users (id), 
	FOREIGN KEY(acis_si_signoff_id) REFERENCES users (id), 
	FOREIGN KEY(hrc_si_signoff_id) REFERENCES users (id), 
	FOREIGN KEY(usint_signoff_id) REFERENCES users (id)
);
CREATE TABLE originals (
	id INTEGER NOT NULL, 
	revision_id INTEGER NOT NULL, 
	parameter_id INTEGER NOT NULL, 
	value VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(revision_id) REFERENCES revisions (id) ON DELETE CASCADE, 
	FOREIGN KEY(parameter_id) REFERENCES parameters (id)
);
CREATE TABLE requests (
	id INTEGER NOT NULL, 
	revision_id INTEGER NOT NULL, 
	parameter_id INTEGER NOT NULL, 
	value VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(revision_id) REFERENCES revisions (id) ON DELETE CASCADE, 
	FOREIGN KEY(parameter_id) REFERENCES parameters (id)
);
CREATE TABLE sessions (
	id INTEGER NOT NULL, 
	session_id VARCHAR(255), 
	data BLOB, 
	expiry DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (session_id)
);
