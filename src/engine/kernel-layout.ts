// The header through which the per-agent kernel (kernel/agents.ts, compiled to
// WebAssembly) reads a model: integer slots (sizes, flags, and the byte offsets
// of arrays in the kernel's memory) and float slots. This file is shared by the
// kernel's source and its host (kernel.ts), so the two cannot disagree on a slot.
// Plain integer constants: valid TypeScript and valid AssemblyScript.

/** Byte offset of the integer slots (i32). */
export const INTS = 64;
/** Byte offset of the float slots (f64). */
export const FLOATS = 1024;
/** First byte free for arrays. */
export const ARRAYS = 2048;

// integer slots
export const DAYS = 0;
export const G = 1;
export const D = 2;
export const B = 3;
export const M = 4;
export const L2 = 5;
export const T = 6;
export const C = 7;
export const SEED_A = 8; // mix32(seed + 0x9e3779b9)
export const SEED_B = 9; // mix32(seed ^ 0x5bd1e995)
export const HAS_FEAR = 10;
export const HAS_PRESENCE = 11;
export const HAS_PERK = 12;
export const HAS_CURE = 13;
export const CURE_RESET = 14;
export const HAS_BREACH = 15;
export const BREACH_DAY = 16;
export const LIST_DAYS = 17;
export const MID_DAY = 18;
export const CAN_CROSS = 19;
export const GAP_SIZE = 20;
export const DECAY_LENGTH = 21;
// model arrays (i32 elements)
export const CLASS_GROUP = 22;
export const EXEMPT_CLASS = 23;
export const CLASS_SEGMENT = 24;
export const SEGMENT_PRESENT = 25;
export const CLASS_START = 26;
export const CLASS_END = 27;
export const GROUP_START = 28;
export const DOMAIN_OF = 29;
export const KIND = 30;
export const PENALISING = 31;
export const DIRECT = 32;
export const CHAN_TYPE = 33;
export const CHAN_BEHAVIOUR = 34;
export const BLOCK_OWN = 35;
export const GAP_START = 36;
// model arrays (f64 elements)
export const NO_EVENT = 37;
export const CHAN_SOME_FROM = 38;
export const CHAN_P = 39;
export const DETER = 40;
export const P_RAW = 41;
export const P_MAX = 42;
export const POINTS = 43;
export const DETECT = 44;
export const MISATTRIBUTE = 45;
export const REVIEW = 46;
export const TIER_MINS = 47;
export const DECAY = 48;
export const FEAR_KEEP = 49;
export const GAP_LAST = 50;
export const GAP_LOGS = 51;
// counters (f64 elements)
export const AGENTS = 52;
export const CLASS_AGENTS = 53;
export const CLASS_AGENT_DAYS = 54;
export const OCCURRENCES = 55;
export const DENIED = 56;
export const DENIED_BY_BEHAVIOUR = 57;
export const RECORDS_TRUE = 58;
export const RECORDS_FALSE = 59;
export const RECORDS_DISCARDED = 60;
export const NEW_LISTINGS = 61;
export const EVER_LISTED = 62;
export const EVER_WRONGFUL = 63;
export const CURED = 64;
export const WITH_FALSE_RECORD = 65;
export const WRONGFUL_SPELLS = 66;
export const WRONGFUL_SPELL_DAYS = 67;
export const WRONGFUL_SPELL_HISTOGRAM = 68;
export const OPEN_WRONGFUL_SPELLS = 69;
export const OPEN_WRONGFUL_SPELL_DAYS = 70;
export const SCORE_HISTOGRAM = 71;
export const SHADOW_SCORE_HISTOGRAM = 72;
export const TIER_COUNTS = 73;
export const TIER_TRANSITIONS = 74;
export const TIER_FELL_BELOW = 75;
export const EXPOSED_PEOPLE = 76;
export const EXPOSED_RECORDS = 77;
export const EXPOSED_FALSE_RECORDS = 78;
// day deltas (f64 elements)
export const DELTA_LISTED = 79;
export const DELTA_WRONG = 80;
export const DELTA_SHADOW = 81;
export const DELTA_DOMAIN = 82;
export const DELTA_PERK = 83;
// sources named in followed agents' record events (i32 elements)
export const MAIN_SOURCE = 84;
export const CHAN_SOURCE = 85;
// followed agents' events: 6 f64 each (day, agent, type, a, b, v), as History.add takes them
export const EVENTS = 86;
export const EVENT_CAPACITY = 87;
export const INT_SLOTS = 88;

// float slots
export const S0 = 0;
export const S_MIN = 1;
export const S_MAX = 2;
export const RHO = 3;
export const ENTER_BELOW = 4;
export const PERK_ABOVE = 5;
export const FEAR_FLOOR = 6;
export const FEAR_DECAY = 7;
export const FEAR_SELF = 8;
export const CURE_LOG_KEEP = 9;
export const BREACH_SHARE = 10;
export const REVIEW_CATCH = 11;
export const FLOAT_SLOTS = 12;
