//! Functions whose answer lives outside the call and that the simulation never fetches:
//! realtime and config stores, DNS (`ENUM*`, `SRV*`, `TXTCIDNAME`), DUNDi, calendars, XMPP,
//! IAX2 peers, SMDI, speech engines, files and crypto keys. Each gives the value the call
//! supplies (`--app NAME=VALUE`) or an empty result and a warning saying what was not fetched.

use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("REALTIME", "RealTime Read/Write Functions.", outside).writes(write_outside),
    Func::chan("REALTIME_STORE", "RealTime Store Function.", outside).writes(write_outside),
    Func::chan("REALTIME_DESTROY", "RealTime Destroy Function.", outside),
    Func::chan("REALTIME_FIELD", "RealTime query function.", outside).writes(write_outside),
    Func::chan("REALTIME_HASH", "RealTime query function.", outside),
    Func::chan("AST_CONFIG", "Retrieve a variable from a configuration file.", outside),
    Func::chan("AST_SORCERY", "Get a field from a sorcery object", outside),
    Func::chan("ENUMLOOKUP", "General or specific querying of NAPTR records for ENUM or ENUM-like DNS pointers.", outside),
    Func::chan("ENUMQUERY", "Initiate an ENUM query.", outside),
    Func::chan("ENUMRESULT", "Retrieve results from a ENUMQUERY.", outside),
    Func::chan("TXTCIDNAME", "TXTCIDNAME looks up a caller name via DNS.", outside),
    Func::chan("SRVQUERY", "Initiate an SRV query.", outside),
    Func::chan("SRVRESULT", "Retrieve results from an SRVQUERY.", outside),
    Func::chan("DUNDILOOKUP", "Do a DUNDi lookup of a phone number.", outside),
    Func::chan("DUNDIQUERY", "Initiate a DUNDi query.", outside),
    Func::chan("DUNDIRESULT", "Retrieve results from a DUNDIQUERY.", outside),
    Func::chan("CALENDAR_BUSY", "Determine if the calendar is marked busy at this time.", outside),
    Func::chan("CALENDAR_EVENT", "Get calendar event notification data from a notification call.", outside),
    Func::chan("CALENDAR_QUERY", "Query a calendar server and store the data on a channel", outside),
    Func::chan("CALENDAR_QUERY_RESULT", "Retrieve data from a previously run CALENDAR_QUERY() call", outside),
    Func::write_only("CALENDAR_WRITE", "Write an event to a calendar", write_outside),
    Func::chan("JABBER_RECEIVE", "Reads XMPP messages.", outside),
    Func::chan("JABBER_STATUS", "Retrieves a buddy's status.", outside),
    Func::chan("IAXPEER", "Gets IAX peer information.", outside),
    Func::chan("IAXVAR", "Sets or retrieves a remote variable.", outside).writes(write_outside),
    Func::chan("SMDI_MSG", "Retrieve details about an SMDI message.", outside),
    Func::chan("SMDI_MSG_RETRIEVE", "Retrieve an SMDI message.", outside),
    Func::chan("SPEECH", "Gets information about speech recognition results.", outside),
    Func::chan("SPEECH_ENGINE", "Get or change a speech engine specific attribute.", outside).writes(write_outside),
    Func::chan("SPEECH_GRAMMAR", "Gets the matched grammar of a result if available.", outside),
    Func::chan("SPEECH_RESULTS_TYPE", "Sets the type of results that will be returned.", outside).writes(write_outside),
    Func::chan("SPEECH_SCORE", "Gets the confidence score of a result.", outside),
    Func::chan("SPEECH_TEXT", "Gets the recognized text of a result.", outside),
    Func::chan("FILE", "Read or write text file.", outside).writes(write_outside),
    Func::chan("FILE_COUNT_LINE", "Obtains the number of lines of a text file.", outside),
    Func::chan("FILE_FORMAT", "Return the newline format of a text file.", outside),
    Func::chan("AES_DECRYPT", "Decrypt a string encoded in base64 with AES given a 16 character key.", outside),
    Func::chan("AES_ENCRYPT", "Encrypt a string with AES given a 16 character key.", outside),
    Func::chan("AMI_CLIENT", "Checks attributes of manager accounts", outside),
    Func::chan("AGENT", "Gets information about an Agent", outside),
    Func::chan("MEETME_INFO", "Query a given conference of various properties.", outside),
    Func::chan("MINIVMACCOUNT", "Gets MiniVoicemail account information.", outside),
    Func::chan("MINIVMCOUNTER", "Reads or sets counters for MiniVoicemail message.", outside).writes(write_outside),
    Func::chan("PARK_GET_CHANNEL", "Get the channel name of an occupied parking space in a parking lot.", outside),
    Func::chan("DAHDI_CHANNEL", "Gets or sets a DAHDI channel specific parameter", outside).writes(write_outside),
    Func::chan("POLARITY", "Set or get the polarity of a DAHDI channel.", outside).writes(write_outside),
    Func::chan("FAXOPT", "Gets/sets various pieces of information about a fax session.", outside).writes(write_outside),
    Func::chan("GEOLOC_PROFILE", "Get or Set a field in a geolocation profile", outside).writes(write_outside),
    Func::chan("STIR_SHAKEN", "Gets the number of STIR/SHAKEN results or a specific STIR/SHAKEN value from a result on the channel.", outside),
    Func::chan("STIR_SHAKEN_ATTESTATION", "Get or set the STIR/SHAKEN attestation level.", outside).writes(write_outside),
    Func::chan("TONE_DETECT", "Asynchronously detects a tone", outside).writes(write_outside),
    Func::chan("MESSAGE", "Create a message or read fields from a message.", outside).writes(write_outside),
    Func::chan("MESSAGE_DATA", "Read or write custom data attached to a message.", outside).writes(write_outside),
    Func::chan("JSON_DECODE", "Returns the string value of a JSON object key from a string containing a JSON array.", outside),
    Func::chan("ICONV", "Converts charsets of strings.", outside),
    Func::chan("LOG_GROUP", "Set the channel group name for log filtering on this channel", outside).writes(write_outside),
    Func::chan("PP_EACH_EXTENSION", "Execute specified template for each extension.", outside),
    Func::chan("PP_EACH_USER", "Generate a string for each phoneprov user.", outside),
    Func::chan("PJSIP_PARSE_URI", "Parse a URI and return a type part of the URI.", outside),
    Func::chan("PJSIP_PARSE_URI_FROM", "Parse the contents of a variable as a URI and return a type part of the URI.", outside),
    Func::chan("PJSIP_TRANSFER_HANDLING", "Set how transfers are handled for a PJSIP channel.", outside).writes(write_outside),
];

fn outside(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let name = exec.current_function;
    if let Some(value) = exec.outcome(name) {
        return Some(value.to_string());
    }
    exec.log(
        Level::Warning,
        format!("{name}({args}) not evaluated: its answer lies outside the simulated call (supply one with --app {name}=VALUE)"),
    );
    Some(String::new())
}

fn write_outside(exec: &mut Exec<'_>, args: &str, _: &str) {
    let name = exec.current_function;
    exec.log(
        Level::Warning,
        format!("{name}({args}) not written: it lies outside the simulated call"),
    );
}
