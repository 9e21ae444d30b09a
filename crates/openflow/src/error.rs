//! OpenFlow errors: every decode or validation failure is one of these named
//! errors. Each maps, per version, to the `(type, code)` the reference sends
//! in an OFPT_ERROR (or to a Nicira/ONF vendor code, or to nothing when the
//! version cannot express it), to its printed name (`OFPBRC_BAD_LEN`, the
//! `Display` form) and to a one-line meaning ([`OfpError::description`]).
//!
//! Variant names drop the `OFP` prefix of the printed name and are CamelCase:
//! `OFPBRC_BAD_LEN` is `BrcBadLen`, `OFPFMFC_BAD_COMMAND` is `FmfcBadCommand`,
//! Nicira ones keep their `Nx` prefix: `NXBRC_NXM_BAD_TYPE` is `NxbrcNxmBadType`.
//! A few keep the OF1.1+ spec wording where the reference prints the OF1.0
//! name: `BrcBadExperimenter` prints `OFPBRC_BAD_VENDOR`, `BrcBadExpType`
//! `OFPBRC_BAD_SUBTYPE`, `BrcBadMultipart` `OFPBRC_BAD_STAT`, `BrcIsSlave`
//! `OFPBRC_IS_SECONDARY`, `BacBadExperimenter` `OFPBAC_BAD_VENDOR`,
//! `BacBadExpType` `OFPBAC_BAD_VENDOR_TYPE`, `Monfc*` `OFPMOFC_*`.
//!
//! The tables were established by running the reference (`ovs-ofctl
//! print-error NAME` for every name, `ofp-print` of every error code); the
//! tests in `tests/msg_vs_reference.rs` re-check them against it.

use crate::version::Version;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OfpError {
    // OFPET_HELLO_FAILED
    /// OFPHFC_INCOMPATIBLE
    HfcIncompatible,
    /// OFPHFC_EPERM
    HfcEperm,
    // OFPET_BAD_REQUEST
    /// OFPBRC_BAD_VERSION
    BrcBadVersion,
    /// OFPBRC_BAD_TYPE
    BrcBadType,
    /// OFPBRC_BAD_STAT
    BrcBadMultipart,
    /// OFPBRC_BAD_VENDOR
    BrcBadExperimenter,
    /// OFPBRC_BAD_SUBTYPE
    BrcBadExpType,
    /// OFPBRC_EPERM
    BrcEperm,
    /// OFPBRC_BAD_LEN
    BrcBadLen,
    /// OFPBRC_BUFFER_EMPTY
    BrcBufferEmpty,
    /// OFPBRC_BUFFER_UNKNOWN
    BrcBufferUnknown,
    /// OFPBRC_BAD_TABLE_ID
    BrcBadTableId,
    /// OFPBRC_IS_SECONDARY
    BrcIsSlave,
    /// OFPBRC_BAD_PORT
    BrcBadPort,
    /// OFPBRC_BAD_PACKET
    BrcBadPacket,
    /// OFPBRC_MULTIPART_BUFFER_OVERFLOW
    BrcMultipartBufferOverflow,
    /// OFPBRC_MULTIPART_REQUEST_TIMEOUT
    BrcMultipartRequestTimeout,
    /// OFPBRC_MULTIPART_REPLY_TIMEOUT
    BrcMultipartReplyTimeout,
    /// OFPBRC_MULTIPART_BAD_SCHED
    BrcMultipartBadSched,
    /// OFPBRC_PIPELINE_FIELDS_ONLY
    BrcPipelineFieldsOnly,
    /// OFPBRC_UNKNOWN
    BrcUnknown,
    // OFPET_BAD_ACTION
    /// OFPBAC_BAD_TYPE
    BacBadType,
    /// OFPBAC_BAD_LEN
    BacBadLen,
    /// OFPBAC_BAD_VENDOR
    BacBadExperimenter,
    /// OFPBAC_BAD_VENDOR_TYPE
    BacBadExpType,
    /// OFPBAC_BAD_OUT_PORT
    BacBadOutPort,
    /// OFPBAC_BAD_ARGUMENT
    BacBadArgument,
    /// OFPBAC_EPERM
    BacEperm,
    /// OFPBAC_TOO_MANY
    BacTooMany,
    /// OFPBAC_BAD_QUEUE
    BacBadQueue,
    /// OFPBAC_BAD_OUT_GROUP
    BacBadOutGroup,
    /// OFPBAC_MATCH_INCONSISTENT
    BacMatchInconsistent,
    /// OFPBAC_UNSUPPORTED_ORDER
    BacUnsupportedOrder,
    /// OFPBAC_BAD_TAG
    BacBadTag,
    /// OFPBAC_BAD_SET_TYPE
    BacBadSetType,
    /// OFPBAC_BAD_SET_LEN
    BacBadSetLen,
    /// OFPBAC_BAD_SET_ARGUMENT
    BacBadSetArgument,
    /// OFPBAC_BAD_SET_MASK
    BacBadSetMask,
    /// OFPBAC_BAD_METER
    BacBadMeter,
    // OFPET_BAD_INSTRUCTION
    /// OFPBIC_UNKNOWN_INST
    BicUnknownInst,
    /// OFPBIC_UNSUP_INST
    BicUnsupInst,
    /// OFPBIC_BAD_TABLE_ID
    BicBadTableId,
    /// OFPBIC_UNSUP_METADATA
    BicUnsupMetadata,
    /// OFPBIC_UNSUP_METADATA_MASK
    BicUnsupMetadataMask,
    /// OFPBIC_BAD_EXPERIMENTER
    BicBadExperimenter,
    /// OFPBIC_BAD_EXP_TYPE
    BicBadExpType,
    /// OFPBIC_BAD_LEN
    BicBadLen,
    /// OFPBIC_EPERM
    BicEperm,
    /// OFPBIC_DUP_INST
    BicDupInst,
    // OFPET_BAD_MATCH
    /// OFPBMC_BAD_TYPE
    BmcBadType,
    /// OFPBMC_BAD_LEN
    BmcBadLen,
    /// OFPBMC_BAD_TAG
    BmcBadTag,
    /// OFPBMC_BAD_DL_ADDR_MASK
    BmcBadDlAddrMask,
    /// OFPBMC_BAD_NW_ADDR_MASK
    BmcBadNwAddrMask,
    /// OFPBMC_BAD_WILDCARDS
    BmcBadWildcards,
    /// OFPBMC_BAD_FIELD
    BmcBadField,
    /// OFPBMC_BAD_VALUE
    BmcBadValue,
    /// OFPBMC_BAD_MASK
    BmcBadMask,
    /// OFPBMC_BAD_PREREQ
    BmcBadPrereq,
    /// OFPBMC_DUP_FIELD
    BmcDupField,
    /// OFPBMC_EPERM
    BmcEperm,
    // OFPET_FLOW_MOD_FAILED
    /// OFPFMFC_BAD_EMERG_TIMEOUT
    FmfcBadEmergTimeout,
    /// OFPFMFC_UNSUPPORTED
    FmfcUnsupported,
    /// OFPFMFC_UNKNOWN
    FmfcUnknown,
    /// OFPFMFC_TABLE_FULL
    FmfcTableFull,
    /// OFPFMFC_BAD_TABLE_ID
    FmfcBadTableId,
    /// OFPFMFC_OVERLAP
    FmfcOverlap,
    /// OFPFMFC_EPERM
    FmfcEperm,
    /// OFPFMFC_BAD_TIMEOUT
    FmfcBadTimeout,
    /// OFPFMFC_BAD_COMMAND
    FmfcBadCommand,
    /// OFPFMFC_BAD_FLAGS
    FmfcBadFlags,
    /// OFPFMFC_CANT_SYNC
    FmfcCantSync,
    /// OFPFMFC_BAD_PRIORITY
    FmfcBadPriority,
    /// OFPFMFC_IS_SYNC
    FmfcIsSync,
    // OFPET_GROUP_MOD_FAILED
    /// OFPGMFC_GROUP_EXISTS
    GmfcGroupExists,
    /// OFPGMFC_INVALID_GROUP
    GmfcInvalidGroup,
    /// OFPGMFC_WEIGHT_UNSUPPORTED
    GmfcWeightUnsupported,
    /// OFPGMFC_OUT_OF_GROUPS
    GmfcOutOfGroups,
    /// OFPGMFC_OUT_OF_BUCKETS
    GmfcOutOfBuckets,
    /// OFPGMFC_CHAINING_UNSUPPORTED
    GmfcChainingUnsupported,
    /// OFPGMFC_WATCH_UNSUPPORTED
    GmfcWatchUnsupported,
    /// OFPGMFC_LOOP
    GmfcLoop,
    /// OFPGMFC_UNKNOWN_GROUP
    GmfcUnknownGroup,
    /// OFPGMFC_CHAINED_GROUP
    GmfcChainedGroup,
    /// OFPGMFC_BAD_TYPE
    GmfcBadType,
    /// OFPGMFC_BAD_COMMAND
    GmfcBadCommand,
    /// OFPGMFC_BAD_BUCKET
    GmfcBadBucket,
    /// OFPGMFC_BAD_WATCH
    GmfcBadWatch,
    /// OFPGMFC_EPERM
    GmfcEperm,
    /// OFPGMFC_UNKNOWN_BUCKET
    GmfcUnknownBucket,
    /// OFPGMFC_BUCKET_EXISTS
    GmfcBucketExists,
    // OFPET_PORT_MOD_FAILED
    /// OFPPMFC_BAD_PORT
    PmfcBadPort,
    /// OFPPMFC_BAD_HW_ADDR
    PmfcBadHwAddr,
    /// OFPPMFC_BAD_CONFIG
    PmfcBadConfig,
    /// OFPPMFC_BAD_ADVERTISE
    PmfcBadAdvertise,
    /// OFPPMFC_EPERM
    PmfcEperm,
    // OFPET_TABLE_MOD_FAILED
    /// OFPTMFC_BAD_TABLE
    TmfcBadTable,
    /// OFPTMFC_BAD_CONFIG
    TmfcBadConfig,
    /// OFPTMFC_EPERM
    TmfcEperm,
    // OFPET_QUEUE_OP_FAILED
    /// OFPQOFC_BAD_PORT
    QofcBadPort,
    /// OFPQOFC_BAD_QUEUE
    QofcBadQueue,
    /// OFPQOFC_EPERM
    QofcEperm,
    // OFPET_SWITCH_CONFIG_FAILED
    /// OFPSCFC_BAD_FLAGS
    ScfcBadFlags,
    /// OFPSCFC_BAD_LEN
    ScfcBadLen,
    /// OFPSCFC_EPERM
    ScfcEperm,
    // OFPET_ROLE_REQUEST_FAILED
    /// OFPRRFC_STALE
    RrfcStale,
    /// OFPRRFC_UNSUP
    RrfcUnsup,
    /// OFPRRFC_BAD_ROLE
    RrfcBadRole,
    /// OFPRRFC_ID_UNSUP
    RrfcIdUnsup,
    /// OFPRRFC_ID_IN_USE
    RrfcIdInUse,
    // OFPET_METER_MOD_FAILED
    /// OFPMMFC_UNKNOWN
    MmfcUnknown,
    /// OFPMMFC_METER_EXISTS
    MmfcMeterExists,
    /// OFPMMFC_INVALID_METER
    MmfcInvalidMeter,
    /// OFPMMFC_UNKNOWN_METER
    MmfcUnknownMeter,
    /// OFPMMFC_BAD_COMMAND
    MmfcBadCommand,
    /// OFPMMFC_BAD_FLAGS
    MmfcBadFlags,
    /// OFPMMFC_BAD_RATE
    MmfcBadRate,
    /// OFPMMFC_BAD_BURST
    MmfcBadBurst,
    /// OFPMMFC_BAD_BAND
    MmfcBadBand,
    /// OFPMMFC_BAD_BAND_VALUE
    MmfcBadBandValue,
    /// OFPMMFC_OUT_OF_METERS
    MmfcOutOfMeters,
    /// OFPMMFC_OUT_OF_BANDS
    MmfcOutOfBands,
    // OFPET_TABLE_FEATURES_FAILED
    /// OFPTFFC_BAD_TABLE
    TffcBadTable,
    /// OFPTFFC_BAD_METADATA
    TffcBadMetadata,
    /// OFPTFFC_EPERM
    TffcEperm,
    /// OFPTFFC_BAD_CAPA
    TffcBadCapa,
    /// OFPTFFC_BAD_MAX_ENT
    TffcBadMaxEnt,
    /// OFPTFFC_BAD_FEATURES
    TffcBadFeatures,
    /// OFPTFFC_BAD_COMMAND
    TffcBadCommand,
    /// OFPTFFC_TOO_MANY
    TffcTooMany,
    // OFPET_BAD_PROPERTY (OF1.4+)
    /// OFPBPC_BAD_TYPE
    BpcBadType,
    /// OFPBPC_BAD_LEN
    BpcBadLen,
    /// OFPBPC_BAD_VALUE
    BpcBadValue,
    /// OFPBPC_TOO_MANY
    BpcTooMany,
    /// OFPBPC_DUP_TYPE
    BpcDupType,
    /// OFPBPC_BAD_EXPERIMENTER
    BpcBadExperimenter,
    /// OFPBPC_BAD_EXP_TYPE
    BpcBadExpType,
    /// OFPBPC_BAD_EXP_VALUE
    BpcBadExpValue,
    /// OFPBPC_EPERM
    BpcEperm,
    // OFPET_ASYNC_CONFIG_FAILED (OF1.4+)
    /// OFPACFC_INVALID
    AcfcInvalid,
    /// OFPACFC_UNSUPPORTED
    AcfcUnsupported,
    /// OFPACFC_EPERM
    AcfcEperm,
    // OFPET_FLOW_MONITOR_FAILED (OF1.4+)
    /// OFPMOFC_UNKNOWN
    MonfcUnknown,
    /// OFPMOFC_MONITOR_EXISTS
    MonfcMonitorExists,
    /// OFPMOFC_INVALID_MONITOR
    MonfcInvalidMonitor,
    /// OFPMOFC_UNKNOWN_MONITOR
    MonfcUnknownMonitor,
    /// OFPMOFC_BAD_COMMAND
    MonfcBadCommand,
    /// OFPMOFC_BAD_FLAGS
    MonfcBadFlags,
    /// OFPMOFC_BAD_TABLE_ID
    MonfcBadTableId,
    /// OFPMOFC_BAD_OUT
    MonfcBadOut,
    // OFPET_BUNDLE_FAILED (OF1.4+)
    /// OFPBFC_UNKNOWN
    BfcUnknown,
    /// OFPBFC_EPERM
    BfcEperm,
    /// OFPBFC_BAD_ID
    BfcBadId,
    /// OFPBFC_BUNDLE_EXIST
    BfcBundleExist,
    /// OFPBFC_BUNDLE_CLOSED
    BfcBundleClosed,
    /// OFPBFC_OUT_OF_BUNDLES
    BfcOutOfBundles,
    /// OFPBFC_BAD_TYPE
    BfcBadType,
    /// OFPBFC_BAD_FLAGS
    BfcBadFlags,
    /// OFPBFC_MSG_BAD_LEN
    BfcMsgBadLen,
    /// OFPBFC_MSG_BAD_XID
    BfcMsgBadXid,
    /// OFPBFC_MSG_UNSUP
    BfcMsgUnsup,
    /// OFPBFC_MSG_CONFLICT
    BfcMsgConflict,
    /// OFPBFC_MSG_TOO_MANY
    BfcMsgTooMany,
    /// OFPBFC_MSG_FAILED
    BfcMsgFailed,
    /// OFPBFC_TIMEOUT
    BfcTimeout,
    /// OFPBFC_BUNDLE_IN_PROGRESS
    BfcBundleInProgress,
    /// OFPBFC_SCHED_NOT_SUPPORTED
    BfcSchedNotSupported,
    /// OFPBFC_SCHED_FUTURE
    BfcSchedFuture,
    /// OFPBFC_SCHED_PAST
    BfcSchedPast,
    /// OFPBFC_BAD_VERSION
    BfcBadVersion,
    // Nicira extensions
    /// NXBRC_NXM_INVALID
    NxbrcNxmInvalid,
    /// NXBRC_NXM_BAD_TYPE
    NxbrcNxmBadType,
    /// NXBRC_MUST_BE_ZERO
    NxbrcMustBeZero,
    /// NXBRC_BAD_REASON
    NxbrcBadReason,
    /// NXBRC_FM_BAD_EVENT
    NxbrcFmBadEvent,
    /// NXBRC_UNENCODABLE_ERROR
    NxbrcUnencodableError,
    /// NXBAC_MUST_BE_ZERO
    NxbacMustBeZero,
    /// NXFMFC_HARDWARE
    NxfmfcHardware,
    /// NXFMFC_BAD_TABLE_ID
    NxfmfcBadTableId,
    /// NXBAC_BAD_CONJUNCTION
    NxbacBadConjunction,
    /// NXTTMFC_BAD_COMMAND
    NxttmfcBadCommand,
    /// NXTTMFC_BAD_OPT_LEN
    NxttmfcBadOptLen,
    /// NXTTMFC_BAD_FIELD_IDX
    NxttmfcBadFieldIdx,
    /// NXTTMFC_TABLE_FULL
    NxttmfcTableFull,
    /// NXTTMFC_ALREADY_MAPPED
    NxttmfcAlreadyMapped,
    /// NXTTMFC_DUP_ENTRY
    NxttmfcDupEntry,
    /// NXQOFC_QUEUE_ERROR
    NxqofcQueueError,
    /// NXR_NOT_SUPPORTED
    NxrNotSupported,
    /// NXR_STALE
    NxrStale,
    /// NXST_NOT_CONFIGURED
    NxstNotConfigured,
    /// NXFMFC_INVALID_TLV_FIELD
    NxfmfcInvalidTlvField,
    /// NXTTMFC_INVALID_TLV_DEL
    NxttmfcInvalidTlvDel,
    /// NXBAC_BAD_HEADER_TYPE
    NxbacBadHeaderType,
    /// NXBAC_UNKNOWN_ED_PROP
    NxbacUnknownEdProp,
    /// NXBAC_BAD_ED_PROP
    NxbacBadEdProp,
    /// NXBAC_CT_DATAPATH_SUPPORT
    NxbacCtDatapathSupport,
    /// NXBMC_CT_DATAPATH_SUPPORT
    NxbmcCtDatapathSupport,
    /// NXTFFC_DUP_TABLE
    NxtffcDupTable,
    // Older names of errors above (same name, codes and text; decoding never
    // yields them).
    /// Same as [`OfpError::BpcBadType`].
    TffcBadType,
    /// Same as [`OfpError::BpcBadLen`].
    TffcBadLen,
    /// Same as [`OfpError::BpcBadValue`].
    TffcBadArgument,
    /// Same as [`OfpError::NxbacBadConjunction`].
    NxbacConjunctionTooMany,
    /// Same as [`OfpError::BmcDupField`].
    NxbmcDupField,
    /// Same as [`OfpError::GmfcUnknownBucket`].
    NxgmfcUnknownBucket,
    /// Same as [`OfpError::GmfcBucketExists`].
    NxgmfcBucketExists,
    // Not an OpenFlow error: the reference's decoders sometimes end with
    // "no more data" (EOF) or EINVAL where an error was due, and ofp-print
    // then names it "<invalid>" (e.g. an OFPT_TABLE_STATUS without its table
    // description, a damaged OF1.5 flow stats entry). It has no code in any
    // version.
    /// "<invalid>"
    Eof,
    // -- variants other modules add go above this line, one per line --
}

/// The table, in enum order (see `table_order` test).
static TABLE: [Entry; 198] = [
    e(E::HfcIncompatible, "OFPHFC_INCOMPATIBLE", [s(0, 0), s(0, 0), s(0, 0), s(0, 0), s(0, 0), s(0, 0)], "No compatible version."),
    e(E::HfcEperm, "OFPHFC_EPERM", [s(0, 1), s(0, 1), s(0, 1), s(0, 1), s(0, 1), s(0, 1)], "Permissions error."),
    e(E::BrcBadVersion, "OFPBRC_BAD_VERSION", [s(1, 0), s(1, 0), s(1, 0), s(1, 0), s(1, 0), s(1, 0)], "ofp_header.version not supported."),
    e(E::BrcBadType, "OFPBRC_BAD_TYPE", [s(1, 1), s(1, 1), s(1, 1), s(1, 1), s(1, 1), s(1, 1)], "ofp_header.type not supported."),
    e(E::BrcBadMultipart, "OFPBRC_BAD_STAT", [s(1, 2), s(1, 2), s(1, 2), s(1, 2), s(1, 2), s(1, 2)], "ofp_stats_msg.type not supported."),
    e(E::BrcBadExperimenter, "OFPBRC_BAD_VENDOR", [s(1, 3), s(1, 3), s(1, 3), s(1, 3), s(1, 3), s(1, 3)], "Vendor not supported (in ofp_vendor_header or ofp_stats_msg)."),
    e(E::BrcBadExpType, "OFPBRC_BAD_SUBTYPE", [s(1, 4), s(1, 4), s(1, 4), s(1, 4), s(1, 4), s(1, 4)], "Vendor subtype not supported."),
    e(E::BrcEperm, "OFPBRC_EPERM", [s(1, 5), s(1, 5), s(1, 5), s(1, 5), s(1, 5), s(1, 5)], "Permissions error."),
    e(E::BrcBadLen, "OFPBRC_BAD_LEN", [s(1, 6), s(1, 6), s(1, 6), s(1, 6), s(1, 6), s(1, 6)], "Wrong request length for type."),
    e(E::BrcBufferEmpty, "OFPBRC_BUFFER_EMPTY", [s(1, 7), s(1, 7), s(1, 7), s(1, 7), s(1, 7), s(1, 7)], "Specified buffer has already been used."),
    e(E::BrcBufferUnknown, "OFPBRC_BUFFER_UNKNOWN", [s(1, 8), s(1, 8), s(1, 8), s(1, 8), s(1, 8), s(1, 8)], "Specified buffer does not exist."),
    e(E::BrcBadTableId, "OFPBRC_BAD_TABLE_ID", [nx(1, 512), s(1, 9), s(1, 9), s(1, 9), s(1, 9), s(1, 9)], "Specified table-id invalid or does not exist."),
    e(E::BrcIsSlave, "OFPBRC_IS_SECONDARY", [s(1, 5), s(1, 5), s(1, 10), s(1, 10), s(1, 10), s(1, 10)], "Denied because controller is secondary."),
    e(E::BrcBadPort, "OFPBRC_BAD_PORT", [nx(1, 514), nx(1, 514), s(1, 11), s(1, 11), s(1, 11), s(1, 11)], "Invalid port."),
    e(E::BrcBadPacket, "OFPBRC_BAD_PACKET", [NO, NO, s(1, 12), s(1, 12), s(1, 12), s(1, 12)], "Invalid packet in packet-out."),
    e(E::BrcMultipartBufferOverflow, "OFPBRC_MULTIPART_BUFFER_OVERFLOW", [NO, NO, NO, s(1, 13), s(1, 13), s(1, 13)], "Multipart request overflowed the assigned buffer."),
    e(E::BrcMultipartRequestTimeout, "OFPBRC_MULTIPART_REQUEST_TIMEOUT", [NO, NO, NO, onf(2640, 0), s(1, 14), s(1, 14)], "Timeout during multipart request."),
    e(E::BrcMultipartReplyTimeout, "OFPBRC_MULTIPART_REPLY_TIMEOUT", [NO, NO, NO, onf(2641, 0), s(1, 15), s(1, 15)], "Timeout during multipart reply."),
    e(E::BrcMultipartBadSched, "OFPBRC_MULTIPART_BAD_SCHED", [NO, NO, NO, NO, NO, s(1, 16)], "Switch received a OFPMP_BUNDLE_FEATURES request and failed to update the scheduling tolerance."),
    e(E::BrcPipelineFieldsOnly, "OFPBRC_PIPELINE_FIELDS_ONLY", [NO, NO, NO, NO, NO, s(1, 17)], "Match fields must include only pipeline fields."),
    e(E::BrcUnknown, "OFPBRC_UNKNOWN", [NO, NO, NO, NO, NO, s(1, 18)], "Unspecified error."),
    e(E::BacBadType, "OFPBAC_BAD_TYPE", [s(2, 0), s(2, 0), s(2, 0), s(2, 0), s(2, 0), s(2, 0)], "Unknown action type."),
    e(E::BacBadLen, "OFPBAC_BAD_LEN", [s(2, 1), s(2, 1), s(2, 1), s(2, 1), s(2, 1), s(2, 1)], "Length problem in actions."),
    e(E::BacBadExperimenter, "OFPBAC_BAD_VENDOR", [s(2, 2), s(2, 2), s(2, 2), s(2, 2), s(2, 2), s(2, 2)], "Unknown experimenter id specified."),
    e(E::BacBadExpType, "OFPBAC_BAD_VENDOR_TYPE", [s(2, 3), s(2, 3), s(2, 3), s(2, 3), s(2, 3), s(2, 3)], "Unknown action type for experimenter id."),
    e(E::BacBadOutPort, "OFPBAC_BAD_OUT_PORT", [s(2, 4), s(2, 4), s(2, 4), s(2, 4), s(2, 4), s(2, 4)], "Problem validating output port."),
    e(E::BacBadArgument, "OFPBAC_BAD_ARGUMENT", [s(2, 5), s(2, 5), s(2, 5), s(2, 5), s(2, 5), s(2, 5)], "Bad action argument."),
    e(E::BacEperm, "OFPBAC_EPERM", [s(2, 6), s(2, 6), s(2, 6), s(2, 6), s(2, 6), s(2, 6)], "Permissions error."),
    e(E::BacTooMany, "OFPBAC_TOO_MANY", [s(2, 7), s(2, 7), s(2, 7), s(2, 7), s(2, 7), s(2, 7)], "Can't handle this many actions."),
    e(E::BacBadQueue, "OFPBAC_BAD_QUEUE", [s(2, 8), s(2, 8), s(2, 8), s(2, 8), s(2, 8), s(2, 8)], "Problem validating output queue."),
    e(E::BacBadOutGroup, "OFPBAC_BAD_OUT_GROUP", [nx(2, 9), s(2, 9), s(2, 9), s(2, 9), s(2, 9), s(2, 9)], "Invalid group id in forward action."),
    e(E::BacMatchInconsistent, "OFPBAC_MATCH_INCONSISTENT", [nx(1, 522), s(2, 10), s(2, 10), s(2, 10), s(2, 10), s(2, 10)], "Action can't apply for this match, or a set_field missing its prerequisite."),
    e(E::BacUnsupportedOrder, "OFPBAC_UNSUPPORTED_ORDER", [NO, s(2, 11), s(2, 11), s(2, 11), s(2, 11), s(2, 11)], "Action order is unsupported for the action list in an Apply-Actions instruction."),
    e(E::BacBadTag, "OFPBAC_BAD_TAG", [NO, s(2, 12), s(2, 12), s(2, 12), s(2, 12), s(2, 12)], "Actions uses an unsupported tag/encap."),
    e(E::BacBadSetType, "OFPBAC_BAD_SET_TYPE", [nx(1, 523), nx(1, 523), s(2, 13), s(2, 13), s(2, 13), s(2, 13)], "Unsupported type in SET_FIELD action."),
    e(E::BacBadSetLen, "OFPBAC_BAD_SET_LEN", [nx(1, 524), nx(1, 524), s(2, 14), s(2, 14), s(2, 14), s(2, 14)], "Length problem in SET_FIELD action."),
    e(E::BacBadSetArgument, "OFPBAC_BAD_SET_ARGUMENT", [nx(1, 525), nx(1, 525), s(2, 15), s(2, 15), s(2, 15), s(2, 15)], "Bad argument in SET_FIELD action."),
    e(E::BacBadSetMask, "OFPBAC_BAD_SET_MASK", [NO, NO, NO, onf(4250, 0), onf(4250, 0), s(2, 16)], "Bad mask in SET_FIELD action."),
    e(E::BacBadMeter, "OFPBAC_BAD_METER", [NO, NO, NO, NO, NO, s(2, 17)], "Invalid meter id in meter action."),
    e(E::BicUnknownInst, "OFPBIC_UNKNOWN_INST", [NO, s(3, 0), s(3, 0), s(3, 0), s(3, 0), s(3, 0)], "Unknown instruction."),
    e(E::BicUnsupInst, "OFPBIC_UNSUP_INST", [nx(2, 257), s(3, 1), s(3, 1), s(3, 1), s(3, 1), s(3, 1)], "Switch or table does not support the instruction."),
    e(E::BicBadTableId, "OFPBIC_BAD_TABLE_ID", [NO, s(3, 2), s(3, 2), s(3, 2), s(3, 2), s(3, 2)], "Invalid Table-ID specified."),
    e(E::BicUnsupMetadata, "OFPBIC_UNSUP_METADATA", [NO, s(3, 3), s(3, 3), s(3, 3), s(3, 3), s(3, 3)], "Metadata value unsupported by datapath."),
    e(E::BicUnsupMetadataMask, "OFPBIC_UNSUP_METADATA_MASK", [NO, s(3, 4), s(3, 4), s(3, 4), s(3, 4), s(3, 4)], "Metadata mask value unsupported by datapath."),
    e(E::BicBadExperimenter, "OFPBIC_BAD_EXPERIMENTER", [NO, s(3, 5), s(3, 5), s(3, 5), s(3, 5), s(3, 5)], "Unknown experimenter id specified."),
    e(E::BicBadExpType, "OFPBIC_BAD_EXP_TYPE", [NO, s(3, 5), s(3, 6), s(3, 6), s(3, 6), s(3, 6)], "Unknown instruction for experimenter id."),
    e(E::BicBadLen, "OFPBIC_BAD_LEN", [NO, NO, s(3, 7), s(3, 7), s(3, 7), s(3, 7)], "Length problem in instructions."),
    e(E::BicEperm, "OFPBIC_EPERM", [NO, NO, s(3, 8), s(3, 8), s(3, 8), s(3, 8)], "Permissions error."),
    e(E::BicDupInst, "OFPBIC_DUP_INST", [NO, nx(3, 256), onf(2600, 0), onf(2600, 0), s(3, 9), s(3, 9)], "Duplicate instruction."),
    e(E::BmcBadType, "OFPBMC_BAD_TYPE", [NO, s(4, 0), s(4, 0), s(4, 0), s(4, 0), s(4, 0)], "Unsupported match type specified by the match."),
    e(E::BmcBadLen, "OFPBMC_BAD_LEN", [NO, s(4, 1), s(4, 1), s(4, 1), s(4, 1), s(4, 1)], "Length problem in match."),
    e(E::BmcBadTag, "OFPBMC_BAD_TAG", [NO, s(4, 2), s(4, 2), s(4, 2), s(4, 2), s(4, 2)], "Match uses an unsupported tag/encap."),
    e(E::BmcBadDlAddrMask, "OFPBMC_BAD_DL_ADDR_MASK", [NO, s(4, 3), s(4, 3), s(4, 3), s(4, 3), s(4, 3)], "Unsupported datalink addr mask - switch does not support arbitrary datalink address mask."),
    e(E::BmcBadNwAddrMask, "OFPBMC_BAD_NW_ADDR_MASK", [NO, s(4, 4), s(4, 4), s(4, 4), s(4, 4), s(4, 4)], "Unsupported network addr mask - switch does not support arbitrary network address mask."),
    e(E::BmcBadWildcards, "OFPBMC_BAD_WILDCARDS", [nx(1, 262), s(4, 5), s(4, 5), s(4, 5), s(4, 5), s(4, 5)], "Unsupported combination of fields masked or omitted in the match."),
    e(E::BmcBadField, "OFPBMC_BAD_FIELD", [nx(0, 263), s(4, 6), s(4, 6), s(4, 6), s(4, 6), s(4, 6)], "Unsupported field type in the match."),
    e(E::BmcBadValue, "OFPBMC_BAD_VALUE", [nx(1, 258), s(4, 7), s(4, 7), s(4, 7), s(4, 7), s(4, 7)], "Unsupported value in a match field."),
    e(E::BmcBadMask, "OFPBMC_BAD_MASK", [nx(1, 259), nx(1, 259), s(4, 8), s(4, 8), s(4, 8), s(4, 8)], "Unsupported mask specified in the match."),
    e(E::BmcBadPrereq, "OFPBMC_BAD_PREREQ", [nx(1, 260), nx(1, 260), s(4, 9), s(4, 9), s(4, 9), s(4, 9)], "A prerequisite was not met."),
    e(E::BmcDupField, "OFPBMC_DUP_FIELD", [nx(1, 261), nx(1, 261), s(4, 10), s(4, 10), s(4, 10), s(4, 10)], "A field type was duplicated."),
    e(E::BmcEperm, "OFPBMC_EPERM", [NO, NO, s(4, 11), s(4, 11), s(4, 11), s(4, 11)], "Permissions error."),
    e(E::FmfcBadEmergTimeout, "OFPFMFC_BAD_EMERG_TIMEOUT", [s(3, 3), NO, NO, NO, NO, NO], "Flow not added because of unsupported idle/hard timeout."),
    e(E::FmfcUnsupported, "OFPFMFC_UNSUPPORTED", [s(3, 5), NO, NO, NO, NO, NO], "Unsupported action list - cannot process in the order specified."),
    e(E::FmfcUnknown, "OFPFMFC_UNKNOWN", [NO, s(5, 0), s(5, 0), s(5, 0), s(5, 0), s(5, 0)], "Unspecified error."),
    e(E::FmfcTableFull, "OFPFMFC_TABLE_FULL", [s(3, 0), s(5, 1), s(5, 1), s(5, 1), s(5, 1), s(5, 1)], "Flow not added because table was full."),
    e(E::FmfcBadTableId, "OFPFMFC_BAD_TABLE_ID", [NO, s(5, 2), s(5, 2), s(5, 2), s(5, 2), s(5, 2)], "Table does not exist."),
    e(E::FmfcOverlap, "OFPFMFC_OVERLAP", [s(3, 1), s(5, 3), s(5, 3), s(5, 3), s(5, 3), s(5, 3)], "Attempted to add overlapping flow with CHECK_OVERLAP flag set."),
    e(E::FmfcEperm, "OFPFMFC_EPERM", [s(3, 2), s(5, 4), s(5, 4), s(5, 4), s(5, 4), s(5, 4)], "Permissions error."),
    e(E::FmfcBadTimeout, "OFPFMFC_BAD_TIMEOUT", [NO, s(5, 5), s(5, 5), s(5, 5), s(5, 5), s(5, 5)], "Flow not added because of unsupported idle/hard timeout."),
    e(E::FmfcBadCommand, "OFPFMFC_BAD_COMMAND", [s(3, 4), s(5, 6), s(5, 6), s(5, 6), s(5, 6), s(5, 6)], "Unsupported or unknown command."),
    e(E::FmfcBadFlags, "OFPFMFC_BAD_FLAGS", [nx(3, 258), nx(5, 258), s(5, 7), s(5, 7), s(5, 7), s(5, 7)], "Unsupported or unknown flags."),
    e(E::FmfcCantSync, "OFPFMFC_CANT_SYNC", [NO, NO, NO, NO, s(5, 8), s(5, 8)], "Problem in table synchronisation."),
    e(E::FmfcBadPriority, "OFPFMFC_BAD_PRIORITY", [NO, NO, NO, onf(2360, 0), s(5, 9), s(5, 9)], "Unsupported priority value."),
    e(E::FmfcIsSync, "OFPFMFC_IS_SYNC", [NO, NO, NO, NO, s(5, 10), s(5, 10)], "Synchronised flow entry is read only."),
    e(E::GmfcGroupExists, "OFPGMFC_GROUP_EXISTS", [nx(6, 0), s(6, 0), s(6, 0), s(6, 0), s(6, 0), s(6, 0)], "Group not added because a group ADD attempted to replace an already-present group."),
    e(E::GmfcInvalidGroup, "OFPGMFC_INVALID_GROUP", [nx(6, 1), s(6, 1), s(6, 1), s(6, 1), s(6, 1), s(6, 1)], "Group not added because Group specified is invalid."),
    e(E::GmfcWeightUnsupported, "OFPGMFC_WEIGHT_UNSUPPORTED", [nx(6, 2), s(6, 2), s(6, 2), s(6, 2), s(6, 2), s(6, 2)], "Switch does not support unequal load sharing with select groups."),
    e(E::GmfcOutOfGroups, "OFPGMFC_OUT_OF_GROUPS", [nx(6, 3), s(6, 3), s(6, 3), s(6, 3), s(6, 3), s(6, 3)], "The group table is full."),
    e(E::GmfcOutOfBuckets, "OFPGMFC_OUT_OF_BUCKETS", [nx(6, 4), s(6, 4), s(6, 4), s(6, 4), s(6, 4), s(6, 4)], "The maximum number of action buckets for a group has been exceeded."),
    e(E::GmfcChainingUnsupported, "OFPGMFC_CHAINING_UNSUPPORTED", [nx(6, 5), s(6, 5), s(6, 5), s(6, 5), s(6, 5), s(6, 5)], "Switch does not support groups that forward to groups."),
    e(E::GmfcWatchUnsupported, "OFPGMFC_WATCH_UNSUPPORTED", [nx(6, 6), s(6, 6), s(6, 6), s(6, 6), s(6, 6), s(6, 6)], "This group cannot watch the watch_port or watch_group specified."),
    e(E::GmfcLoop, "OFPGMFC_LOOP", [nx(6, 7), s(6, 7), s(6, 7), s(6, 7), s(6, 7), s(6, 7)], "Group entry would cause a loop."),
    e(E::GmfcUnknownGroup, "OFPGMFC_UNKNOWN_GROUP", [nx(6, 8), s(6, 8), s(6, 8), s(6, 8), s(6, 8), s(6, 8)], "Group not modified because a group MODIFY attempted to modify a non-existent group."),
    e(E::GmfcChainedGroup, "OFPGMFC_CHAINED_GROUP", [nx(6, 9), NO, s(6, 9), s(6, 9), s(6, 9), s(6, 9)], "Group not deleted because another group is forwarding to it."),
    e(E::GmfcBadType, "OFPGMFC_BAD_TYPE", [nx(6, 10), NO, s(6, 10), s(6, 10), s(6, 10), s(6, 10)], "Unsupported or unknown group type."),
    e(E::GmfcBadCommand, "OFPGMFC_BAD_COMMAND", [nx(6, 11), NO, s(6, 11), s(6, 11), s(6, 11), s(6, 11)], "Unsupported or unknown command."),
    e(E::GmfcBadBucket, "OFPGMFC_BAD_BUCKET", [nx(6, 12), NO, s(6, 12), s(6, 12), s(6, 12), s(6, 12)], "Error in bucket."),
    e(E::GmfcBadWatch, "OFPGMFC_BAD_WATCH", [nx(6, 13), NO, s(6, 13), s(6, 13), s(6, 13), s(6, 13)], "Error in watch port/group."),
    e(E::GmfcEperm, "OFPGMFC_EPERM", [nx(6, 14), NO, s(6, 14), s(6, 14), s(6, 14), s(6, 14)], "Permissions error."),
    e(E::GmfcUnknownBucket, "OFPGMFC_UNKNOWN_BUCKET", [nx(6, 15), NO, NO, NO, NO, s(6, 15)], "Bucket ID does not exist."),
    e(E::GmfcBucketExists, "OFPGMFC_BUCKET_EXISTS", [nx(6, 16), NO, NO, NO, NO, s(6, 16)], "Bucket ID already exists."),
    e(E::PmfcBadPort, "OFPPMFC_BAD_PORT", [s(4, 0), s(7, 0), s(7, 0), s(7, 0), s(7, 0), s(7, 0)], "Specified port does not exist."),
    e(E::PmfcBadHwAddr, "OFPPMFC_BAD_HW_ADDR", [s(4, 1), s(7, 1), s(7, 1), s(7, 1), s(7, 1), s(7, 1)], "Specified hardware address does not match the port number."),
    e(E::PmfcBadConfig, "OFPPMFC_BAD_CONFIG", [NO, s(7, 2), s(7, 2), s(7, 2), s(7, 2), s(7, 2)], "Specified config is invalid."),
    e(E::PmfcBadAdvertise, "OFPPMFC_BAD_ADVERTISE", [NO, s(7, 3), s(7, 3), s(7, 3), s(7, 3), s(7, 3)], "Specified advertise is invalid."),
    e(E::PmfcEperm, "OFPPMFC_EPERM", [NO, NO, s(7, 4), s(7, 4), s(7, 4), s(7, 4)], "Permissions error."),
    e(E::TmfcBadTable, "OFPTMFC_BAD_TABLE", [NO, s(8, 0), s(8, 0), s(8, 0), s(8, 0), s(8, 0)], "Specified table does not exist."),
    e(E::TmfcBadConfig, "OFPTMFC_BAD_CONFIG", [NO, s(8, 1), s(8, 1), s(8, 1), s(8, 1), s(8, 1)], "Specified config is invalid."),
    e(E::TmfcEperm, "OFPTMFC_EPERM", [NO, NO, s(8, 2), s(8, 2), s(8, 2), s(8, 2)], "Permissions error."),
    e(E::QofcBadPort, "OFPQOFC_BAD_PORT", [s(5, 0), s(9, 0), s(9, 0), s(9, 0), s(9, 0), s(9, 0)], "Invalid port (or port does not exist)."),
    e(E::QofcBadQueue, "OFPQOFC_BAD_QUEUE", [s(5, 1), s(9, 1), s(9, 1), s(9, 1), s(9, 1), s(9, 1)], "Queue does not exist."),
    e(E::QofcEperm, "OFPQOFC_EPERM", [s(5, 2), s(9, 2), s(9, 2), s(9, 2), s(9, 2), s(9, 2)], "Permissions error."),
    e(E::ScfcBadFlags, "OFPSCFC_BAD_FLAGS", [NO, s(10, 0), s(10, 0), s(10, 0), s(10, 0), s(10, 0)], "Specified flags is invalid."),
    e(E::ScfcBadLen, "OFPSCFC_BAD_LEN", [NO, s(10, 1), s(10, 1), s(10, 1), s(10, 1), s(10, 1)], "Specified len is invalid."),
    e(E::ScfcEperm, "OFPSCFC_EPERM", [NO, NO, s(10, 2), s(10, 2), s(10, 2), s(10, 2)], "Permissions error."),
    e(E::RrfcStale, "OFPRRFC_STALE", [NO, NO, s(11, 0), s(11, 0), s(11, 0), s(11, 0)], "Stale Message: old generation_id."),
    e(E::RrfcUnsup, "OFPRRFC_UNSUP", [NO, NO, s(11, 1), s(11, 1), s(11, 1), s(11, 1)], "Controller role change unsupported."),
    e(E::RrfcBadRole, "OFPRRFC_BAD_ROLE", [nx(1, 513), nx(1, 513), s(11, 2), s(11, 2), s(11, 2), s(11, 2)], "Invalid role."),
    e(E::RrfcIdUnsup, "OFPRRFC_ID_UNSUP", [NO, NO, NO, NO, NO, s(11, 3)], "Switch doesn't support changing ID."),
    e(E::RrfcIdInUse, "OFPRRFC_ID_IN_USE", [NO, NO, NO, NO, NO, s(11, 4)], "Requested ID is in use."),
    e(E::MmfcUnknown, "OFPMMFC_UNKNOWN", [NO, NO, NO, s(12, 0), s(12, 0), s(12, 0)], "Unspecified error."),
    e(E::MmfcMeterExists, "OFPMMFC_METER_EXISTS", [NO, NO, NO, s(12, 1), s(12, 1), s(12, 1)], "Meter not added because a Meter ADD attempted to replace an existing Meter."),
    e(E::MmfcInvalidMeter, "OFPMMFC_INVALID_METER", [NO, NO, NO, s(12, 2), s(12, 2), s(12, 2)], "Meter not added because Meter specified is invalid."),
    e(E::MmfcUnknownMeter, "OFPMMFC_UNKNOWN_METER", [NO, NO, NO, s(12, 3), s(12, 3), s(12, 3)], "Meter not modified because a Meter MODIFY attempted to modify a non-existent Meter."),
    e(E::MmfcBadCommand, "OFPMMFC_BAD_COMMAND", [NO, NO, NO, s(12, 4), s(12, 4), s(12, 4)], "Unsupported or unknown command."),
    e(E::MmfcBadFlags, "OFPMMFC_BAD_FLAGS", [NO, NO, NO, s(12, 5), s(12, 5), s(12, 5)], "Flag configuration unsupported."),
    e(E::MmfcBadRate, "OFPMMFC_BAD_RATE", [NO, NO, NO, s(12, 6), s(12, 6), s(12, 6)], "Rate unsupported."),
    e(E::MmfcBadBurst, "OFPMMFC_BAD_BURST", [NO, NO, NO, s(12, 7), s(12, 7), s(12, 7)], "Burst size unsupported."),
    e(E::MmfcBadBand, "OFPMMFC_BAD_BAND", [NO, NO, NO, s(12, 8), s(12, 8), s(12, 8)], "Band unsupported."),
    e(E::MmfcBadBandValue, "OFPMMFC_BAD_BAND_VALUE", [NO, NO, NO, s(12, 9), s(12, 9), s(12, 9)], "Band value unsupported."),
    e(E::MmfcOutOfMeters, "OFPMMFC_OUT_OF_METERS", [NO, NO, NO, s(12, 10), s(12, 10), s(12, 10)], "No more meters available."),
    e(E::MmfcOutOfBands, "OFPMMFC_OUT_OF_BANDS", [NO, NO, NO, s(12, 11), s(12, 11), s(12, 11)], "The maximum number of properties for a meter has been exceeded."),
    e(E::TffcBadTable, "OFPTFFC_BAD_TABLE", [NO, NO, NO, s(13, 0), s(13, 0), s(13, 0)], "Specified table does not exist."),
    e(E::TffcBadMetadata, "OFPTFFC_BAD_METADATA", [NO, NO, NO, s(13, 1), s(13, 1), s(13, 1)], "Invalid metadata mask."),
    e(E::TffcEperm, "OFPTFFC_EPERM", [NO, NO, NO, s(13, 5), s(13, 5), s(13, 5)], "Permissions error."),
    e(E::TffcBadCapa, "OFPTFFC_BAD_CAPA", [NO, NO, NO, NO, NO, s(13, 6)], "Invalid capability field."),
    e(E::TffcBadMaxEnt, "OFPTFFC_BAD_MAX_ENT", [NO, NO, NO, NO, NO, s(13, 7)], "Invalid max_entries field."),
    e(E::TffcBadFeatures, "OFPTFFC_BAD_FEATURES", [NO, NO, NO, NO, NO, s(13, 8)], "Invalid features field."),
    e(E::TffcBadCommand, "OFPTFFC_BAD_COMMAND", [NO, NO, NO, NO, NO, s(13, 9)], "Invalid command."),
    e(E::TffcTooMany, "OFPTFFC_TOO_MANY", [NO, NO, NO, NO, NO, s(13, 10)], "Can't handle this many flow tables."),
    e(E::BpcBadType, "OFPBPC_BAD_TYPE", [nx(13, 2), nx(13, 2), nx(25, 0), s(13, 2), s(14, 0), s(14, 0)], "Unknown property type."),
    e(E::BpcBadLen, "OFPBPC_BAD_LEN", [nx(13, 3), nx(13, 3), nx(26, 0), s(13, 3), s(14, 1), s(14, 1)], "Length problem in property."),
    e(E::BpcBadValue, "OFPBPC_BAD_VALUE", [nx(13, 4), nx(13, 4), nx(27, 0), s(13, 4), s(14, 2), s(14, 2)], "Unsupported property value."),
    e(E::BpcTooMany, "OFPBPC_TOO_MANY", [nx(14, 3), nx(14, 3), nx(28, 0), onf(4443, 0), s(14, 3), s(14, 3)], "Can't handle this many properties."),
    e(E::BpcDupType, "OFPBPC_DUP_TYPE", [nx(14, 4), nx(14, 4), nx(29, 0), onf(4444, 0), s(14, 4), s(14, 4)], "A property type was duplicated."),
    e(E::BpcBadExperimenter, "OFPBPC_BAD_EXPERIMENTER", [nx(14, 5), nx(14, 5), nx(30, 0), onf(4445, 0), s(14, 5), s(14, 5)], "Unknown experimenter id specified."),
    e(E::BpcBadExpType, "OFPBPC_BAD_EXP_TYPE", [nx(14, 6), nx(14, 6), nx(31, 0), onf(4446, 0), s(14, 6), s(14, 6)], "Unknown exp_type for experimenter id."),
    e(E::BpcBadExpValue, "OFPBPC_BAD_EXP_VALUE", [nx(14, 7), nx(14, 7), nx(32, 0), onf(4447, 0), s(14, 7), s(14, 7)], "Unknown value for experimenter id."),
    e(E::BpcEperm, "OFPBPC_EPERM", [nx(14, 8), nx(14, 8), nx(33, 0), onf(4448, 0), s(14, 8), s(14, 8)], "Permissions error."),
    e(E::AcfcInvalid, "OFPACFC_INVALID", [NO, NO, NO, onf(2370, 0), s(15, 0), s(15, 0)], "One mask is invalid."),
    e(E::AcfcUnsupported, "OFPACFC_UNSUPPORTED", [NO, NO, NO, onf(2371, 0), s(15, 1), s(15, 1)], "Requested configuration not supported."),
    e(E::AcfcEperm, "OFPACFC_EPERM", [NO, NO, NO, onf(2372, 0), s(15, 2), s(15, 2)], "Permissions error."),
    e(E::MonfcUnknown, "OFPMOFC_UNKNOWN", [NO, NO, NO, NO, s(16, 0), s(16, 0)], "Unspecified error."),
    e(E::MonfcMonitorExists, "OFPMOFC_MONITOR_EXISTS", [nx(1, 517), nx(1, 517), nx(6, 0), nx(6, 0), s(16, 1), s(16, 1)], "Monitor not added because a Monitor ADD attempted to replace an existing Monitor."),
    e(E::MonfcInvalidMonitor, "OFPMOFC_INVALID_MONITOR", [NO, NO, NO, NO, s(16, 2), s(16, 2)], "Monitor not added because Monitor specified is invalid."),
    e(E::MonfcUnknownMonitor, "OFPMOFC_UNKNOWN_MONITOR", [nx(1, 519), nx(1, 519), nx(8, 0), nx(8, 0), s(16, 3), s(16, 3)], "Monitor not modified because a Monitor MODIFY attempted to modify a non-existent Monitor."),
    e(E::MonfcBadCommand, "OFPMOFC_BAD_COMMAND", [NO, NO, NO, NO, s(16, 4), s(16, 4)], "Unsupported or unknown command."),
    e(E::MonfcBadFlags, "OFPMOFC_BAD_FLAGS", [nx(1, 518), nx(1, 518), nx(7, 0), nx(7, 0), s(16, 5), s(16, 5)], "Flag configuration unsupported."),
    e(E::MonfcBadTableId, "OFPMOFC_BAD_TABLE_ID", [NO, NO, NO, NO, s(16, 6), s(16, 6)], "Specified table does not exist."),
    e(E::MonfcBadOut, "OFPMOFC_BAD_OUT", [NO, NO, NO, NO, s(16, 7), s(16, 7)], "Error in output port/group."),
    e(E::BfcUnknown, "OFPBFC_UNKNOWN", [NO, NO, NO, onf(2300, 0), s(17, 0), s(17, 0)], "Unspecified error."),
    e(E::BfcEperm, "OFPBFC_EPERM", [NO, NO, NO, onf(2301, 0), s(17, 1), s(17, 1)], "Permissions error."),
    e(E::BfcBadId, "OFPBFC_BAD_ID", [NO, NO, NO, onf(2302, 0), s(17, 2), s(17, 2)], "Bundle ID doesn't exist."),
    e(E::BfcBundleExist, "OFPBFC_BUNDLE_EXIST", [NO, NO, NO, onf(2303, 0), s(17, 3), s(17, 3)], "Bundle ID already exists."),
    e(E::BfcBundleClosed, "OFPBFC_BUNDLE_CLOSED", [NO, NO, NO, onf(2304, 0), s(17, 4), s(17, 4)], "Bundle ID is closed."),
    e(E::BfcOutOfBundles, "OFPBFC_OUT_OF_BUNDLES", [NO, NO, NO, onf(2305, 0), s(17, 5), s(17, 5)], "Too many bundle IDs."),
    e(E::BfcBadType, "OFPBFC_BAD_TYPE", [NO, NO, NO, onf(2306, 0), s(17, 6), s(17, 6)], "Unsupported or unknown message control type."),
    e(E::BfcBadFlags, "OFPBFC_BAD_FLAGS", [NO, NO, NO, onf(2307, 0), s(17, 7), s(17, 7)], "Unsupported, unknown, or inconsistent flags."),
    e(E::BfcMsgBadLen, "OFPBFC_MSG_BAD_LEN", [NO, NO, NO, onf(2308, 0), s(17, 8), s(17, 8)], "Length problem in included message."),
    e(E::BfcMsgBadXid, "OFPBFC_MSG_BAD_XID", [NO, NO, NO, onf(2309, 0), s(17, 9), s(17, 9)], "Inconsistent or duplicate XID."),
    e(E::BfcMsgUnsup, "OFPBFC_MSG_UNSUP", [NO, NO, NO, onf(2310, 0), s(17, 10), s(17, 10)], "Unsupported message in this bundle."),
    e(E::BfcMsgConflict, "OFPBFC_MSG_CONFLICT", [NO, NO, NO, onf(2311, 0), s(17, 11), s(17, 11)], "Unsupported message combination in this bundle."),
    e(E::BfcMsgTooMany, "OFPBFC_MSG_TOO_MANY", [NO, NO, NO, onf(2312, 0), s(17, 12), s(17, 12)], "Can't handle this many messages in bundle."),
    e(E::BfcMsgFailed, "OFPBFC_MSG_FAILED", [NO, NO, NO, onf(2313, 0), s(17, 13), s(17, 13)], "One message in bundle failed."),
    e(E::BfcTimeout, "OFPBFC_TIMEOUT", [NO, NO, NO, onf(2314, 0), s(17, 14), s(17, 14)], "Bundle is taking too long."),
    e(E::BfcBundleInProgress, "OFPBFC_BUNDLE_IN_PROGRESS", [NO, NO, NO, onf(2315, 0), s(17, 15), s(17, 15)], "Bundle is locking the resource."),
    e(E::BfcSchedNotSupported, "OFPBFC_SCHED_NOT_SUPPORTED", [NO, NO, NO, NO, NO, s(17, 16)], "Scheduled commit was received and scheduling is not supported."),
    e(E::BfcSchedFuture, "OFPBFC_SCHED_FUTURE", [NO, NO, NO, NO, NO, s(17, 17)], "Scheduled commit time exceeds upper bound."),
    e(E::BfcSchedPast, "OFPBFC_SCHED_PAST", [NO, NO, NO, NO, NO, s(17, 18)], "Scheduled commit time exceeds lower bound."),
    e(E::BfcBadVersion, "OFPBFC_BAD_VERSION", [NO, NO, NO, NO, nx(22, 0), nx(22, 0)], "In an OFPT_BUNDLE_ADD_MESSAGE, the OpenFlow version in the inner and outer messages differ."),
    e(E::NxbrcNxmInvalid, "NXBRC_NXM_INVALID", [nx(1, 256), nx(1, 256), nx(2, 0), nx(2, 0), nx(2, 0), nx(2, 0)], "Generic error code used when there is an error in an NXM sent to the switch."),
    e(E::NxbrcNxmBadType, "NXBRC_NXM_BAD_TYPE", [nx(1, 257), nx(1, 257), nx(3, 0), nx(3, 0), nx(3, 0), nx(3, 0)], "The nxm_type, or nxm_type taken in combination with nxm_hasmask or nxm_length or both, is invalid or not implemented."),
    e(E::NxbrcMustBeZero, "NXBRC_MUST_BE_ZERO", [nx(1, 515), nx(1, 515), nx(4, 0), nx(4, 0), nx(4, 0), nx(4, 0)], "A must-be-zero field had a nonzero value."),
    e(E::NxbrcBadReason, "NXBRC_BAD_REASON", [nx(1, 516), nx(1, 516), nx(5, 0), nx(5, 0), nx(5, 0), nx(5, 0)], "The reason in an ofp_port_status message is not valid."),
    e(E::NxbrcFmBadEvent, "NXBRC_FM_BAD_EVENT", [nx(1, 520), nx(1, 520), nx(9, 0), nx(9, 0), nx(9, 0), nx(9, 0)], "The 'event' in an NXST_FLOW_MONITOR reply does not specify one of the NXFME_ABBREV, NXFME_ADD, NXFME_DELETE, or NXFME_MODIFY."),
    e(E::NxbrcUnencodableError, "NXBRC_UNENCODABLE_ERROR", [nx(1, 521), nx(1, 521), nx(10, 0), nx(10, 0), nx(10, 0), nx(10, 0)], "The error that occurred cannot be represented in this OpenFlow version."),
    e(E::NxbacMustBeZero, "NXBAC_MUST_BE_ZERO", [nx(2, 256), nx(2, 256), nx(11, 0), nx(11, 0), nx(11, 0), nx(11, 0)], "Must-be-zero action argument had nonzero value."),
    e(E::NxfmfcHardware, "NXFMFC_HARDWARE", [nx(5, 256), nx(5, 256), nx(12, 0), nx(12, 0), nx(12, 0), nx(12, 0)], "Generic hardware error."),
    e(E::NxfmfcBadTableId, "NXFMFC_BAD_TABLE_ID", [nx(5, 257), nx(5, 257), nx(13, 0), nx(13, 0), nx(13, 0), nx(13, 0)], "A nonexistent table ID was specified in the \"command\" field of struct ofp_flow_mod, when the nxt_flow_mod_table_id extension is enabled."),
    e(E::NxbacBadConjunction, "NXBAC_BAD_CONJUNCTION", [nx(2, 526), nx(2, 526), nx(15, 0), nx(15, 0), nx(15, 0), nx(15, 0)], "Conjunction action must be only action present; conjunction(id, k/n) must satisfy 1 <= k <= n and 2 <= n <= 64."),
    e(E::NxttmfcBadCommand, "NXTTMFC_BAD_COMMAND", [nx(1, 527), nx(1, 527), nx(16, 0), nx(16, 0), nx(16, 0), nx(16, 0)], "Attempted to add, modify, or delete a TLV mapping with an unknown command."),
    e(E::NxttmfcBadOptLen, "NXTTMFC_BAD_OPT_LEN", [nx(1, 528), nx(1, 528), nx(17, 0), nx(17, 0), nx(17, 0), nx(17, 0)], "Option length is incompatible with the TLV field."),
    e(E::NxttmfcBadFieldIdx, "NXTTMFC_BAD_FIELD_IDX", [nx(1, 529), nx(1, 529), nx(18, 0), nx(18, 0), nx(18, 0), nx(18, 0)], "Field index is out of range."),
    e(E::NxttmfcTableFull, "NXTTMFC_TABLE_FULL", [nx(1, 530), nx(1, 530), nx(19, 0), nx(19, 0), nx(19, 0), nx(19, 0)], "The TLV table does not have room for another mapping."),
    e(E::NxttmfcAlreadyMapped, "NXTTMFC_ALREADY_MAPPED", [nx(1, 531), nx(1, 531), nx(20, 0), nx(20, 0), nx(20, 0), nx(20, 0)], "The option or field is already mapped."),
    e(E::NxttmfcDupEntry, "NXTTMFC_DUP_ENTRY", [nx(1, 532), nx(1, 532), nx(21, 0), nx(21, 0), nx(21, 0), nx(21, 0)], "The same option or field appears twice in one request."),
    e(E::NxqofcQueueError, "NXQOFC_QUEUE_ERROR", [NO, NO, NO, NO, nx(23, 0), nx(23, 0)], "System error retrieving queue details."),
    e(E::NxrNotSupported, "NXR_NOT_SUPPORTED", [nx(1, 533), nx(1, 533), nx(34, 0), nx(34, 0), nx(34, 0), nx(34, 0)], "The resume continuation is not supported."),
    e(E::NxrStale, "NXR_STALE", [nx(1, 534), nx(1, 534), nx(35, 0), nx(35, 0), nx(35, 0), nx(35, 0)], "The resume continuation is stale."),
    e(E::NxstNotConfigured, "NXST_NOT_CONFIGURED", [nx(1, 535), nx(1, 535), nx(36, 0), nx(36, 0), nx(36, 0), nx(36, 0)], "The requested statistics are not configured."),
    e(E::NxfmfcInvalidTlvField, "NXFMFC_INVALID_TLV_FIELD", [nx(1, 536), nx(1, 536), nx(37, 0), nx(37, 0), nx(37, 0), nx(37, 0)], "A flow refers to a TLV field that has no mapping."),
    e(E::NxttmfcInvalidTlvDel, "NXTTMFC_INVALID_TLV_DEL", [nx(1, 537), nx(1, 537), nx(38, 0), nx(38, 0), nx(38, 0), nx(38, 0)], "Attempted to delete a TLV mapping that is still used by a flow."),
    e(E::NxbacBadHeaderType, "NXBAC_BAD_HEADER_TYPE", [NO, NO, NO, nx(39, 0), nx(39, 0), nx(39, 0)], "Unsupported packet type in encap or decap."),
    e(E::NxbacUnknownEdProp, "NXBAC_UNKNOWN_ED_PROP", [NO, NO, NO, nx(40, 0), nx(40, 0), nx(40, 0)], "Unrecognized encap or decap property."),
    e(E::NxbacBadEdProp, "NXBAC_BAD_ED_PROP", [NO, NO, NO, nx(41, 0), nx(41, 0), nx(41, 0)], "Error in encap or decap property."),
    e(E::NxbacCtDatapathSupport, "NXBAC_CT_DATAPATH_SUPPORT", [nx(1, 265), nx(1, 265), nx(42, 0), nx(42, 0), nx(42, 0), nx(42, 0)], "This action requires connection tracking support the datapath lacks."),
    e(E::NxbmcCtDatapathSupport, "NXBMC_CT_DATAPATH_SUPPORT", [nx(1, 264), nx(1, 264), nx(43, 0), nx(43, 0), nx(43, 0), nx(43, 0)], "This match requires connection tracking support the datapath lacks."),
    e(E::NxtffcDupTable, "NXTFFC_DUP_TABLE", [NO, NO, NO, nx(44, 0), nx(44, 0), nx(44, 0)], "Attempted to configure a table more than once."),
];

/// Aliases and their canonical errors.
const ALIASES: [(OfpError, OfpError); 7] = [
    (E::TffcBadType, E::BpcBadType),
    (E::TffcBadLen, E::BpcBadLen),
    (E::TffcBadArgument, E::BpcBadValue),
    (E::NxbacConjunctionTooMany, E::NxbacBadConjunction),
    (E::NxbmcDupField, E::BmcDupField),
    (E::NxgmfcUnknownBucket, E::GmfcUnknownBucket),
    (E::NxgmfcBucketExists, E::GmfcBucketExists),
];

use OfpError as E;

/// How one error is carried in one version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A standard `ofp_error_msg` type and code.
    Std { ty: u16, code: u16 },
    /// A vendor error: in OF1.0/1.1 the NXET_VENDOR wrapper (type 0xb0c2)
    /// holding `vendor`, `ty` and `code`; in OF1.2+ OFPET_EXPERIMENTER
    /// (type 0xffff) with `ty` as the exp_type and `code` always 0.
    Vendor { vendor: u32, ty: u16, code: u16 },
}

/// OF1.0/1.1 error type wrapping a vendor error.
pub const NXET_VENDOR: u16 = 0xb0c2;
/// OF1.2+ experimenter error type.
pub const OFPET_EXPERIMENTER: u16 = 0xffff;

struct Entry {
    err: OfpError,
    name: &'static str,
    codes: [Option<ErrorCode>; 6],
    desc: &'static str,
}

const fn e(
    err: OfpError,
    name: &'static str,
    codes: [Option<ErrorCode>; 6],
    desc: &'static str,
) -> Entry {
    Entry {
        err,
        name,
        codes,
        desc,
    }
}
const fn s(ty: u16, code: u16) -> Option<ErrorCode> {
    Some(ErrorCode::Std { ty, code })
}
const fn nx(ty: u16, code: u16) -> Option<ErrorCode> {
    Some(ErrorCode::Vendor {
        vendor: 0x2320,
        ty,
        code,
    })
}
const fn onf(ty: u16, code: u16) -> Option<ErrorCode> {
    Some(ErrorCode::Vendor {
        vendor: 0x4f4e_4600,
        ty,
        code,
    })
}
const NO: Option<ErrorCode> = None;

impl OfpError {
    /// Every error (canonical ones only, no aliases), in table order.
    pub fn all() -> impl Iterator<Item = OfpError> {
        TABLE.iter().map(|e| e.err)
    }

    /// The error an alias stands for; itself for canonical errors.
    pub fn canonical(self) -> OfpError {
        ALIASES
            .iter()
            .find(|(a, _)| *a == self)
            .map_or(self, |(_, c)| *c)
    }

    fn entry(self) -> Option<&'static Entry> {
        let c = self.canonical();
        TABLE.get(c as usize).filter(|e| e.err == c)
    }

    /// The reference's name: "OFPBRC_BAD_LEN".
    pub fn name(self) -> &'static str {
        if self == E::Eof {
            return "<invalid>";
        }
        self.entry().map_or("OFPERR_UNKNOWN", |e| e.name)
    }

    /// What the error means, one sentence.
    pub fn description(self) -> &'static str {
        self.entry().map_or("", |e| e.desc)
    }

    /// How version `v` carries this error; None if it cannot (the reference
    /// then sends NXBRC_UNENCODABLE_ERROR instead, see [`OfpError::code_or_unencodable`]).
    pub fn code(self, v: Version) -> Option<ErrorCode> {
        let idx = usize::from(v.wire()) - 1;
        self.entry()
            .and_then(|e| e.codes.get(idx).copied().flatten())
    }

    /// The code actually sent in version `v`: this error's, or
    /// NXBRC_UNENCODABLE_ERROR's when `v` cannot express it.
    pub fn code_or_unencodable(self, v: Version) -> ErrorCode {
        self.code(v)
            .or_else(|| E::NxbrcUnencodableError.code(v))
            .unwrap_or(ErrorCode::Std { ty: 1, code: 6 })
    }

    /// The error version `v` means by `code` (the first in table order when
    /// the reference gives one code two names, as it decodes them).
    pub fn from_code(v: Version, code: ErrorCode) -> Option<OfpError> {
        let idx = usize::from(v.wire()) - 1;
        TABLE
            .iter()
            .find(|e| e.codes.get(idx).copied().flatten() == Some(code))
            .map(|e| e.err)
    }

    /// The error named `name` ("OFPBRC_BAD_LEN"), as `print-error` accepts it.
    pub fn from_name(name: &str) -> Option<OfpError> {
        TABLE.iter().find(|e| e.name == name).map(|e| e.err)
    }
}

impl std::fmt::Display for OfpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for OfpError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order() {
        for (i, e) in TABLE.iter().enumerate() {
            assert_eq!(e.err as usize, i, "{}", e.name);
        }
        for (a, c) in ALIASES {
            assert_eq!(a.name(), c.name());
            assert!(a as usize >= TABLE.len());
        }
    }

    #[test]
    fn names_and_codes() {
        assert_eq!(E::BrcBadLen.to_string(), "OFPBRC_BAD_LEN");
        assert_eq!(E::BrcBadExperimenter.to_string(), "OFPBRC_BAD_VENDOR");
        assert_eq!(
            E::FmfcBadCommand.code(Version::Of10),
            Some(ErrorCode::Std { ty: 3, code: 4 })
        );
        assert_eq!(
            E::FmfcBadCommand.code(Version::Of13),
            Some(ErrorCode::Std { ty: 5, code: 6 })
        );
        assert_eq!(E::BfcUnknown.code(Version::Of10), None);
        assert_eq!(
            E::BfcUnknown.code_or_unencodable(Version::Of10),
            E::NxbrcUnencodableError.code(Version::Of10).unwrap()
        );
        // OF1.0 (1,5) is both EPERM and IS_SECONDARY; EPERM wins.
        assert_eq!(
            OfpError::from_code(Version::Of10, ErrorCode::Std { ty: 1, code: 5 }),
            Some(E::BrcEperm)
        );
        assert_eq!(
            OfpError::from_name("OFPBRC_BAD_STAT"),
            Some(E::BrcBadMultipart)
        );
        assert!(!E::BrcBadLen.description().is_empty());
        assert_eq!(E::Eof.to_string(), "<invalid>");
        assert_eq!(E::Eof.code(Version::Of13), None);
        assert!(OfpError::all().all(|e| e != E::Eof));
    }
}
