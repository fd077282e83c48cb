//! The staff console (业务办理人员): accounts, sessions, the queues and the actions.
