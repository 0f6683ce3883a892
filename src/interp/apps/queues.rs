//! Queues and agents (`apps/app_queue.c`, `apps/app_agent_pool.c`), simulated as
//! `apps/mod.rs` describes: a trace line, the status variable from the chosen outcome.

use crate::interp::apps::{AppDef, Sim};

const QUEUE: Sim = Sim {
    status: "QUEUESTATUS",
    outcomes: &["TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL", "CONTINUE"],
    ends: &[],
    answers: false,
    what: "queue the call in",
    needs_data: Some("Queue requires an argument: queuename[,options[,URL[,announceoverride[,timeout[,agi[,gosub[,rule[,position]]]]]]]]"),
};

const ADDQUEUEMEMBER: Sim = Sim {
    status: "AQMSTATUS",
    outcomes: &["ADDED", "MEMBERALREADY", "NOSUCHQUEUE"],
    ends: &[],
    answers: false,
    what: "add a member to queue",
    needs_data: Some("AddQueueMember requires an argument (queuename[,interface[,penalty[,options[,membername[,stateinterface][,wrapuptime]]]]])"),
};

const REMOVEQUEUEMEMBER: Sim = Sim {
    status: "RQMSTATUS",
    outcomes: &["REMOVED", "NOTINQUEUE", "NOSUCHQUEUE", "NOTDYNAMIC"],
    ends: &[],
    answers: false,
    what: "remove a member from queue",
    needs_data: Some("RemoveQueueMember requires an argument (queuename[,interface])"),
};

const PAUSEQUEUEMEMBER: Sim = Sim {
    status: "PQMSTATUS",
    outcomes: &["PAUSED", "NOTFOUND"],
    ends: &[],
    answers: false,
    what: "pause queue member",
    needs_data: Some(
        "PauseQueueMember requires an argument ([queuename],interface[,options][,reason])",
    ),
};

const UNPAUSEQUEUEMEMBER: Sim = Sim {
    status: "UPQMSTATUS",
    outcomes: &["UNPAUSED", "NOTFOUND"],
    ends: &[],
    answers: false,
    what: "unpause queue member",
    needs_data: Some(
        "UnpauseQueueMember requires an argument ([queuename],interface[,options[,reason]])",
    ),
};

const QUEUELOG: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "write to queue_log:",
    needs_data: None,
};

const QUEUEUPDATE: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "update the queue log for",
    needs_data: None,
};

const AGENTLOGIN: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "log in agent",
    needs_data: None,
};

const AGENTREQUEST: Sim = Sim {
    status: "AGENT_STATUS",
    outcomes: &[
        "NOT_LOGGED_IN",
        "INVALID",
        "ALREADY_CONNECTED",
        "NOT_CONNECTED",
    ],
    ends: &[],
    answers: false,
    what: "request agent",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::sim("Queue", "Queue a call for a call queue.", &QUEUE),
    AppDef::sim(
        "AddQueueMember",
        "Dynamically adds queue members.",
        &ADDQUEUEMEMBER,
    ),
    AppDef::sim(
        "RemoveQueueMember",
        "Dynamically removes queue members.",
        &REMOVEQUEUEMEMBER,
    ),
    AppDef::sim(
        "PauseQueueMember",
        "Pauses a queue member.",
        &PAUSEQUEUEMEMBER,
    ),
    AppDef::sim(
        "UnpauseQueueMember",
        "Unpauses a queue member.",
        &UNPAUSEQUEUEMEMBER,
    ),
    AppDef::sim("QueueLog", "Writes to the queue_log file.", &QUEUELOG),
    AppDef::sim(
        "QueueUpdate",
        "Writes to the queue_log file for outbound calls and updates Realtime Data.",
        &QUEUEUPDATE,
    ),
    AppDef::sim("AgentLogin", "Login an agent.", &AGENTLOGIN),
    AppDef::sim(
        "AgentRequest",
        "Request an agent to connect with the channel.",
        &AGENTREQUEST,
    ),
];
