//! The real-world corpus (`dialplans/compat/real-world/`, licences in its `SOURCES.md`, and the
//! hand-written `dialplans/compat/`): `dialstate run FILE --every-extension` calls every
//! extension once. The test fails on a panic, or when a call stops on an application or function
//! that a stock Asterisk 22 has (a modelling gap); calls that stop on something Asterisk 22 does
//! not have either (`NoCDR`, `SIP_HEADER`, ...) stop there in Asterisk too. The per-call report
//! is snapshotted, so the README's "calls run whole" figure is pinned.

use crate::support::{dialstate, relative, snapshot_settings};

/// Applications a stock Asterisk 22 registers (the `<application name=...>` docs of its sources).
const STOCK_APPLICATIONS: &[&str] = &[
    "ADSIProg", "AELSub", "AGI", "AMD", "AddQueueMember", "AgentLogin", "AgentRequest",
    "AlarmReceiver", "Answer", "AttendedTransfer", "AudioSocket", "Authenticate", "BackGround",
    "BackgroundDetect", "BlindTransfer", "Bridge", "BridgeAdd", "BridgeWait", "Broadcast", "Busy",
    "CELGenUserEvent", "CallCompletionCancel", "CallCompletionRequest", "ChanIsAvail", "ChanSpy",
    "ChannelRedirect", "ClearHash", "ConfBridge", "ConfKick", "Congestion", "ContinueWhile",
    "ControlPlayback", "DAHDIAcceptR2Call", "DAHDIScan", "DAHDISendCallreroutingFacility",
    "DAHDISendKeypadFacility", "DBdeltree", "DISA", "DateTime", "Dial", "Dictate", "Directory",
    "DumpChan", "EAGI", "Echo", "Else", "ElseIf", "EndIf", "EndWhile", "Exec", "ExecIf",
    "ExecIfTime", "ExitIf", "ExitWhile", "ExtenSpy", "ExternalIVR", "Festival", "Flash",
    "FollowMe", "ForkCDR", "GetCPEID", "Gosub", "GosubIf", "Goto", "GotoIf", "GotoIfTime",
    "Hangup", "HangupCauseClear", "IAX2Provision", "IVRDemo", "If", "Incomplete", "JACK",
    "JabberJoin", "JabberLeave", "JabberSend", "JabberSendGroup", "Log", "MP3Player", "MSet",
    "MeetMe", "MeetMeAdmin", "MeetMeChannelAdmin", "MeetMeCount", "MessageSend", "Milliwatt",
    "MinivmAccMess", "MinivmDelete", "MinivmGreet", "MinivmMWI", "MinivmNotify", "MinivmRecord",
    "MixMonitor", "Morsecode", "MusicOnHold", "NoOp", "ODBCFinish", "ODBC_Commit",
    "ODBC_Rollback", "Originate", "PJSIPHangup", "PJSIPNotify", "Page", "Park", "ParkAndAnnounce",
    "ParkedCall", "PauseQueueMember", "Pickup", "PickupChan", "PlayTones", "Playback",
    "PrivacyManager", "Proceeding", "Progress", "Queue", "QueueLog", "QueueUpdate",
    "RaiseException", "Read", "ReadExten", "ReceiveFAX", "ReceiveMF", "ReceiveSF", "ReceiveText",
    "Record", "Reload", "RemoveQueueMember", "ResetCDR", "RetryDial", "Return", "Ringing",
    "SLAStation", "SLATrunk", "SMS", "SayAlpha", "SayAlphaCase", "SayCountedAdj",
    "SayCountedNoun", "SayDigits", "SayMoney", "SayNumber", "SayOrdinal", "SayPhonetic",
    "SayUnixTime", "SendDTMF", "SendFAX", "SendMF", "SendSF", "SendText", "Set", "Signal",
    "SkelGuessNumber", "SoftHangup", "SpeechActivateGrammar", "SpeechBackground", "SpeechCreate",
    "SpeechDeactivateGrammar", "SpeechDestroy", "SpeechLoadGrammar", "SpeechProcessingSound",
    "SpeechStart", "SpeechUnloadGrammar", "StackPop", "StartMusicOnHold", "Stasis",
    "StasisBroadcast", "StatsD", "StopMixMonitor", "StopMusicOnHold", "StopPlayTones",
    "StoreDTMF", "StreamEcho", "System", "TestClient", "TestServer", "ToneScan", "Transfer",
    "TryExec", "TrySystem", "UnpauseQueueMember", "UserEvent", "VMAuthenticate", "VMSayName",
    "Verbose", "VoiceMail", "VoiceMailMain", "VoiceMailPlayMsg", "Wait", "WaitDigit", "WaitExten",
    "WaitForCondition", "WaitForNoise", "WaitForRing", "WaitForSignal", "WaitForSilence",
    "WaitForTone", "WaitUntil", "While", "Zapateller",
];

/// Functions a stock Asterisk 22 registers.
const STOCK_FUNCTIONS: &[&str] = &[
    "ABS", "AES_DECRYPT", "AES_ENCRYPT", "AGC", "AGENT", "AMI_CLIENT", "ARRAY", "AST_CONFIG",
    "AST_SORCERY", "BASE64_DECODE", "BASE64_ENCODE", "BASENAME", "BLACKLIST", "CALENDAR_BUSY",
    "CALENDAR_EVENT", "CALENDAR_QUERY", "CALENDAR_QUERY_RESULT", "CALENDAR_WRITE",
    "CALLCOMPLETION", "CALLERID", "CDR", "CDR_PROP", "CHANNEL", "CHANNELS", "CHANNEL_EXISTS",
    "CONFBRIDGE", "CONFBRIDGE_CHANNELS", "CONFBRIDGE_INFO", "CONNECTEDLINE", "CSV_QUOTE", "CURL",
    "CURLOPT", "CUT", "DAHDI_CHANNEL", "DB", "DB_DELETE", "DB_EXISTS", "DB_KEYCOUNT", "DB_KEYS",
    "DEC", "DELETE", "DENOISE", "DEVICE_STATE", "DIALGROUP", "DIALPLAN_EXISTS", "DIGIT_SUM",
    "DIRNAME", "DUNDILOOKUP", "DUNDIQUERY", "DUNDIRESULT", "ENUMLOOKUP", "ENUMQUERY",
    "ENUMRESULT", "ENV", "EVAL", "EVAL_EXTEN", "EVAL_SUB", "EXCEPTION", "EXISTS", "EXPORT",
    "EXTENSION_STATE", "FAXOPT", "FEATURE", "FEATUREMAP", "FIELDNUM", "FIELDQTY", "FILE",
    "FILE_COUNT_LINE", "FILE_FORMAT", "FILTER", "FRAME_DROP", "FRAME_TRACE", "GEOLOC_PROFILE",
    "GLOBAL", "GLOBAL_DELETE", "GLOBAL_EXISTS", "GROUP", "GROUP_COUNT", "GROUP_LIST",
    "GROUP_MATCH_COUNT", "HANGUPCAUSE", "HANGUPCAUSE_KEYS", "HASH", "HASHKEYS", "HINT",
    "HOLD_INTERCEPT", "IAXPEER", "IAXVAR", "ICONV", "IF", "IFMODULE", "IFTIME", "IMPORT", "INC",
    "ISNULL", "JABBER_RECEIVE", "JABBER_STATUS", "JITTERBUFFER", "JSON_DECODE", "KEYPADHASH",
    "LEN", "LISTFILTER", "LOCAL", "LOCAL_PEEK", "LOCK", "LOG_GROUP", "LTRIM", "MASTER_CHANNEL",
    "MATH", "MAX", "MD5", "MEETME_INFO", "MESSAGE", "MESSAGE_DATA", "MIN", "MINIVMACCOUNT",
    "MINIVMCOUNTER", "MIXMONITOR", "MUTEAUDIO", "ODBC", "ODBC_FETCH", "PARK_GET_CHANNEL",
    "PASSTHRU", "PERIODIC_HOOK", "PITCH_SHIFT", "PJSIP_AOR", "PJSIP_CONTACT",
    "PJSIP_DIAL_CONTACTS", "PJSIP_DTMF_MODE", "PJSIP_ENDPOINT", "PJSIP_HEADER", "PJSIP_HEADERS",
    "PJSIP_HEADER_PARAM", "PJSIP_INHERITABLE_HEADER", "PJSIP_MEDIA_OFFER",
    "PJSIP_MOH_PASSTHROUGH", "PJSIP_PARSE_URI", "PJSIP_PARSE_URI_FROM", "PJSIP_RESPONSE_HEADER",
    "PJSIP_RESPONSE_HEADERS", "PJSIP_SEND_SESSION_REFRESH", "PJSIP_TRANSFER_HANDLING", "POLARITY",
    "POP", "PP_EACH_EXTENSION", "PP_EACH_USER", "PRESENCE_STATE", "PUSH", "QUEUE_EXISTS",
    "QUEUE_GET_CHANNEL", "QUEUE_MEMBER", "QUEUE_MEMBER_LIST", "QUEUE_MEMBER_PENALTY",
    "QUEUE_VARIABLES", "QUEUE_WAITING_COUNT", "QUOTE", "RAND", "REALTIME", "REALTIME_DESTROY",
    "REALTIME_FIELD", "REALTIME_HASH", "REALTIME_STORE", "RECORDING_INFO", "REDIRECTING", "REGEX",
    "REPLACE", "RTRIM", "SAYFILES", "SCRAMBLE", "SET", "SHA1", "SHARED", "SHELL", "SHIFT",
    "SMDI_MSG", "SMDI_MSG_RETRIEVE", "SORT", "SPEECH", "SPEECH_ENGINE", "SPEECH_GRAMMAR",
    "SPEECH_RESULTS_TYPE", "SPEECH_SCORE", "SPEECH_TEXT", "SPRINTF", "SQL_ESC",
    "SQL_ESC_BACKSLASHES", "SRVQUERY", "SRVRESULT", "STACK_PEEK", "STAT", "STIR_SHAKEN",
    "STIR_SHAKEN_ATTESTATION", "STRBETWEEN", "STRFTIME", "STRPTIME", "STRREPLACE", "SYSINFO",
    "TALK_DETECT", "TESTTIME", "TIMEOUT", "TOLOWER", "TONE_DETECT", "TOUPPER", "TRIM", "TRYLOCK",
    "TXTCIDNAME", "UNLOCK", "UNSHIFT", "URIDECODE", "URIENCODE", "UUID", "VARIABLE_EXISTS",
    "VERSION", "VMCOUNT", "VM_INFO", "VOLUME",
];

#[test]
fn every_extension_of_the_corpus_runs_without_a_modelling_gap() {
    snapshot_settings().bind(|| {
        insta::glob!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/dialplans"),
            "compat/**/*.conf",
            |path| {
                let file = relative(path).display().to_string();
                let args = [
                    "run",
                    file.as_str(),
                    "--every-extension",
                    "--max-steps",
                    "2000",
                ];
                let run = dialstate(&args);
                assert!(
                    run.code == 0 || run.code == 1,
                    "{file}: exit {}\n{}",
                    run.code,
                    run.stderr
                );
                assert!(!run.stderr.contains("panicked"), "{file}: {}", run.stderr);
                for line in run.stdout.lines() {
                    let Some((_, missing)) = line.split_once(": missing ") else {
                        continue;
                    };
                    for piece in missing.split(", ") {
                        let gap = match piece.split_once(' ') {
                            Some(("application", name)) => STOCK_APPLICATIONS
                                .iter()
                                .any(|it| it.eq_ignore_ascii_case(name)),
                            Some(("function", name)) => STOCK_FUNCTIONS.contains(&name),
                            _ => true,
                        };
                        assert!(!gap, "{file}: modelling gap: {line}");
                    }
                }
                insta::assert_snapshot!(run.transcript(&args));
            }
        );
    });
}
