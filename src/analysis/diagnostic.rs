//! Findings as the analysis reports them: a code, a place (a file and a byte
//! range), a message, related places and the fixes an editor can offer, all
//! plain data that the command line and the language server convert.

use crate::text::TextRange;

/// Declares the codes, their severities and their one-line titles (the
/// product's own wording for DIPV codes).
macro_rules! codes {
    ($($variant:ident = $text:literal, $severity:ident, $title:literal;)*) => {
        /// A finding's stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            pub fn parse(text: &str) -> Option<Code> {
                match text { $($text => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    Dipv1000 = "DIPV1000", Error, "Connection validation failed";
    Dipv1001 = "DIPV1001", Error, "Exceptions encountered during Dual-write project validation";
    Dipv1002 = "DIPV1002", Error, "Dual-write only supports mapping between cross-company entities or company-specific entities from both sides";
    Dipv1003 = "DIPV1003", Error, "Integration keys are missing";
    Dipv1004 = "DIPV1004", Error, "Integration key field isn't bi-directionally mapped";
    Dipv1005 = "DIPV1005", Error, "Missing environment info for dataset";
    Dipv1006 = "DIPV1006", Error, "Exceptions encountered during project validation";
    Dipv1007 = "DIPV1007", Error, "Task has environment that doesn't exist in the connection set";
    Dipv1008 = "DIPV1008", Error, "Data partition isn't valid";
    Dipv1010 = "DIPV1010", Error, "Mandatory field in destination entity must be mapped";
    Dipv1011 = "DIPV1011", Error, "Readonly field in destination entity must not be mapped";
    Dipv1012 = "DIPV1012", Error, "Error occurred while parsing Dataverse entity source filter";
    Dipv1014 = "DIPV1014", Error, "Mapping is missing for integration key";
    Dipv1015 = "DIPV1015", Error, "Mapping is missing for integration key for lookup field";
    Dipv1016 = "DIPV1016", Error, "Missing Organization mapping for destination entity";
    Dipv1017 = "DIPV1017", Error, "Missing Organization mapping for related entity";
    Dipv1018 = "DIPV1018", Error, "Missing source schema";
    Dipv1019 = "DIPV1019", Error, "Export can't be performed on the table due to the missing versionnumber field";
    Dipv1020 = "DIPV1020", Error, "Missing destination schema";
    Dipv1021 = "DIPV1021", Error, "Missing source field in the mapping";
    Dipv1022 = "DIPV1022", Error, "Missing source field in the schema";
    Dipv1023 = "DIPV1023", Error, "Duplicate source fields";
    Dipv1024 = "DIPV1024", Error, "Missing destination field in the mapping";
    Dipv1025 = "DIPV1025", Error, "Missing destination field in the schema";
    Dipv1026 = "DIPV1026", Error, "Duplicate destination fields";
    Dipv1027 = "DIPV1027", Error, "Map the integration key associated with the entity lookup field to the destination field";
    Dipv1028 = "DIPV1028", Error, "Map the integration key associated with the entity lookup field to the source field";
    Dipv1029 = "DIPV1029", Error, "Duplicate value map";
    Dipv1030 = "DIPV1030", Error, "Data type mismatch";
    Dipv1031 = "DIPV1031", Error, "Missing default transform for mandatory destination field";
    Dimap0001 = "DIMAP0001", Error, "Syntax error";
    Dimap0002 = "DIMAP0002", Error, "Unknown connection set";
    Dimap0003 = "DIMAP0003", Error, "Direction not allowed";
    Dimap0004 = "DIMAP0004", Error, "Name declared twice";
    Dimap0005 = "DIMAP0005", Error, "Alias is not a side of the map";
    Dimap0006 = "DIMAP0006", Error, "Value map value not valid";
    Dimap0007 = "DIMAP0007", Error, "Default value does not fit its destination";
    Dimap0008 = "DIMAP0008", Error, "Error in the finance and operations source filter";
    Dimap0009 = "DIMAP0009", Warning, "Text may be cut";
    Dimap0010 = "DIMAP0010", Error, "Cached schema not valid";
}

impl Code {
    /// The product's error-code page for DIPV codes; the project's own codes
    /// are explained in its README.
    pub fn documentation_url(self) -> Option<&'static str> {
        self.as_str().starts_with("DIPV").then_some(
            "https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/data-entities/dual-write/dual-write-error-codes",
        )
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// The index of a file in its workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a workspace file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: FileId,
    pub range: TextRange,
}

/// A place that explains a finding (the first of two duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One text replacement of a fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub location: Location,
    pub new_text: String,
}

/// A fix an editor offers for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    /// The fix is the one obvious repair: `dimap check --fix` applies it and
    /// an editor marks it preferred.
    pub preferred: bool,
}

/// A finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(code: Code, file: FileId, range: TextRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            location: Location { file, range },
            code,
            severity: code.severity(),
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_related(mut self, file: FileId, range: TextRange, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related { location: Location { file, range }, message: message.into() });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    pub fn with_fixes(mut self, fixes: impl IntoIterator<Item = Fix>) -> Diagnostic {
        self.fixes.extend(fixes);
        self
    }
}

impl Fix {
    /// A fix made of one replacement.
    pub fn replace(title: impl Into<String>, file: FileId, range: TextRange, new_text: impl Into<String>) -> Fix {
        Fix {
            title: title.into(),
            edits: vec![Edit { location: Location { file, range }, new_text: new_text.into() }],
            preferred: false,
        }
    }

    pub fn preferred(mut self) -> Fix {
        self.preferred = true;
        self
    }
}
