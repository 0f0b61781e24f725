//! Tests of `dimap schema import`: the conversions of the hand-written
//! fixtures in `tests/fixtures/import/` (finance and operations CSDL,
//! Dataverse CSDL, Dataverse `EntityDefinitions` JSON), a generated
//! 3,000-entity CSDL document that must import quickly and load back, and
//! the binary end to end (files, standard input, the default output, and
//! clear errors rather than panics).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use dimap::metadata::{self, Import, ImportOptions, SkipReason};
use dimap::schema::{App, CachedSchema, FieldType};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

fn options(environment: &str, app: App) -> ImportOptions {
    ImportOptions {
        environment: environment.to_string(),
        app,
        organizations: vec!["USMF".to_string(), "DEMF".to_string()],
        refreshed: "2026-11-20T10:00:00Z".to_string(),
    }
}

fn csdl(name: &str, app: App) -> Import {
    let file = std::fs::File::open(fixture(name)).unwrap();
    metadata::csdl::import(std::io::BufReader::new(file), &options("contoso-prod", app)).unwrap()
}

/// The document as written, loaded back the way the checker loads it.
fn round_trip(import: &Import) -> CachedSchema {
    CachedSchema::from_json(&import.document.to_json(), PathBuf::from("cache.json"))
        .unwrap_or_else(|p| panic!("the written cache does not load: {}", p.message))
}

fn skipped(import: &Import) -> Vec<String> {
    import.skipped.iter().map(ToString::to_string).collect()
}

#[test]
fn finance_and_operations_csdl_becomes_a_cache() {
    let import = csdl("finance-operations.xml", App::FinanceAndOperations);
    let schema = round_trip(&import);
    assert_eq!(schema.app, App::FinanceAndOperations);
    assert_eq!(schema.organizations, ["USMF", "DEMF"]);
    assert_eq!(schema.refreshed.as_deref(), Some("2026-11-20T10:00:00Z"));
    assert!(schema.connection.is_connected());
    let names: Vec<&str> = schema.entities().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["CustomersV3", "CustomerGroups", "VendorsV2", "Currencies"]);

    let app = App::FinanceAndOperations;
    let customers = schema.entity("CustomersV3").unwrap();
    assert_eq!(customers.entity_set.as_deref(), Some("CustomersV3"));
    assert_eq!(customers.kind.as_deref(), Some("standard"));
    assert_eq!(customers.company_field.as_deref(), Some("dataAreaId"));
    assert_eq!(customers.keys.len(), 1);
    assert_eq!(customers.keys[0].name, "EntityKey");
    assert_eq!(customers.keys[0].fields, ["dataAreaId", "CustomerAccount"]);
    let field = |name: &str| customers.field(app, name).unwrap_or_else(|| panic!("no field {name}"));
    // Keys and IsRequired (either annotation form) make a field required;
    // Nullable="false" alone does not.
    assert!(field("CustomerAccount").required);
    assert!(field("CustomerGroupId").required);
    assert!(field("SalesCurrencyCode").required);
    assert!(!field("OrganizationName").required);
    assert_eq!(field("OrganizationName").type_label(), "string(100)");
    // AllowEdit="false" alone: set on create only.
    assert!(!field("PartyNumber").read_only);
    // Both false (attribute and nested `<Bool>` forms): read-only, never required.
    assert!(field("RecordId").read_only && !field("RecordId").required);
    assert!(field("CreatedDateTime").read_only);
    assert_eq!(field("CreatedDateTime").ty, FieldType::Datetime);
    assert_eq!(field("CreditLimit").type_label(), "decimal(32,6)");
    assert_eq!(field("PersonBirthDate").ty, FieldType::Date);
    assert_eq!(field("SalesMemo").ty, FieldType::Memo);
    assert_eq!(field("PaymentDayOfMonth").ty, FieldType::Integer);
    assert_eq!(field("RecordId").ty, FieldType::Bigint);
    let members: Vec<(&str, i64)> = field("OnHoldStatus").members().collect();
    assert_eq!(members, [("No", 0), ("Invoice", 1), ("All", 2), ("Payment", 3), ("Requisition", 4), ("Never", 5)]);
    assert_eq!(field("CreditLimitIsMandatory").ty, FieldType::Enum);
    assert_eq!(field("CustomerGroup").ty, FieldType::Lookup);
    assert_eq!(field("CustomerGroup").target.as_deref(), Some("CustomerGroups"));
    // Published Pascal case is kept; lookups still ignore case.
    assert_eq!(customers.fields.iter().filter(|f| f.name == "CustomerAccount").count(), 1);
    assert!(customers.field(app, "CUSTOMERACCOUNT").is_some());

    let vendors = schema.entity("VendorsV2").unwrap();
    let vendor = |name: &str| vendors.field(app, name).unwrap();
    assert_eq!(vendor("CreditRating").ty, FieldType::Double);
    assert_eq!(vendor("IsFlaggedWithBankAccount").ty, FieldType::Boolean);
    assert_eq!(vendor("VendorPartyId").ty, FieldType::Guid);
    assert_eq!(vendor("Logo").ty, FieldType::File);
    assert!(vendors.field(app, "VendorGroup").is_none());

    let currencies = schema.entity("Currencies").unwrap();
    assert_eq!(currencies.company_field, None);
    assert_eq!(currencies.field(app, "RoundingPrecision").unwrap().scale, None);

    assert_eq!(
        skipped(&import),
        [
            "VendorGroup: entity type not exposed by any entity set",
            "CustomersV3.DeliveryWindowStart: type Edm.TimeOfDay has no cached field type",
            "CustomersV3.SalesOrderHeaders: navigation to many records (SalesOrderHeaderV2); a field holds one value",
            "CustomerGroups.Customers: navigation to many records (CustomerV3); a field holds one value",
            "VendorsV2.VendorGroup: navigation to Microsoft.Dynamics.DataEntities.VendorGroup, which no entity set exposes",
        ]
    );
}

#[test]
fn dataverse_csdl_names_entities_by_logical_name() {
    let import = csdl("dataverse.xml", App::Dataverse);
    let schema = round_trip(&import);
    let names: Vec<&str> = schema.entities().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["account", "contact", "msdyn_customergroup", "cdm_company"]);
    let app = App::Dataverse;
    let account = schema.entity("account").unwrap();
    assert_eq!(account.entity_set.as_deref(), Some("accounts"));
    assert_eq!(account.company_field.as_deref(), Some("msdyn_company"));
    assert_eq!(account.keys[0].fields, ["accountid"]);
    // Dataverse makes up the primary id: the key is not required on create.
    assert!(!account.field(app, "accountid").unwrap().required);
    assert_eq!(account.field(app, "name").unwrap().type_label(), "string(160)");
    assert_eq!(account.field(app, "description").unwrap().ty, FieldType::Memo);
    // The alias `mscrm` resolves to the namespace.
    assert_eq!(account.field(app, "primarycontactid").unwrap().target.as_deref(), Some("contact"));
    assert_eq!(account.field(app, "msdyn_company").unwrap().target.as_deref(), Some("cdm_company"));
    assert!(account.has_version_number(app));
    let contact = schema.entity("contact").unwrap();
    assert_eq!(contact.company_field, None);
    assert_eq!(contact.field(app, "parentcustomerid_account").unwrap().target.as_deref(), Some("account"));
    assert_eq!(contact.field(app, "entityimage").unwrap().ty, FieldType::File);
    assert_eq!(schema.entity("msdyn_customergroup").unwrap().company_field.as_deref(), Some("msdyn_company"));
    assert_eq!(
        skipped(&import),
        [
            "crmbaseentity: entity type not exposed by any entity set",
            "account.contact_customer_accounts: navigation to many records (contact); a field holds one value",
        ]
    );
}

#[test]
fn entity_definitions_become_a_cache() {
    let file = std::fs::File::open(fixture("entity-definitions.json")).unwrap();
    let import =
        metadata::entity_definitions::import(std::io::BufReader::new(file), &options("contoso-sales", App::Dataverse))
            .unwrap();
    let schema = round_trip(&import);
    let app = App::Dataverse;
    let account = schema.entity("account").unwrap();
    assert_eq!(account.entity_set.as_deref(), Some("accounts"));
    assert_eq!(account.kind.as_deref(), Some("standard"));
    assert_eq!(account.company_field.as_deref(), Some("msdyn_company"));
    assert_eq!(account.keys[0].name, "msdyn_accountnumberkey");
    assert_eq!(account.keys[0].fields, ["accountnumber", "msdyn_company"]);
    let field = |name: &str| account.field(app, name).unwrap_or_else(|| panic!("no field {name}"));
    assert!(!field("accountid").required, "the primary id is never required");
    assert!(field("accountnumber").required && field("name").required && field("msdyn_company").required);
    assert_eq!(field("name").type_label(), "string(160)");
    assert_eq!(field("description").type_label(), "memo(2000)");
    let options: Vec<(&str, i64)> = field("customertypecode").members().collect();
    assert_eq!(options, [("Competitor", 1), ("Consultant", 2), ("Customer", 3)]);
    assert_eq!(field("customertypecode").ty, FieldType::Choice);
    assert_eq!(field("statecode").ty, FieldType::Choice);
    assert!(!field("statecode").required, "statecode cannot be set on create");
    assert_eq!(field("msdyn_industries").ty, FieldType::Multichoice);
    assert_eq!((field("creditlimit").ty, field("creditlimit").scale), (FieldType::Money, Some(2)));
    assert!(field("createdon").read_only);
    assert_eq!(field("createdon").ty, FieldType::Datetime);
    assert!(field("versionnumber").read_only);
    assert!(account.field(app, "msdyn_companyname").is_none());
    assert!(account.field(app, "ownerid").is_none());

    let contact = schema.entity("contact").unwrap();
    assert_eq!(contact.field(app, "birthdate").unwrap().ty, FieldType::Date);
    assert_eq!(contact.field(app, "entityimage").unwrap().ty, FieldType::Image);
    assert!(contact.field(app, "parentcustomerid").is_none());
    assert!(contact.keys.is_empty());

    let groups = schema.entity("msdyn_customergroup").unwrap();
    assert_eq!(groups.company_field.as_deref(), Some("msdyn_company"));
    assert_eq!(groups.field(app, "msdyn_clearingperiod").unwrap().ty, FieldType::Decimal);
    // No `versionnumber` is made up for a table that lacks one.
    assert!(!groups.has_version_number(app));

    let reasons: Vec<&SkipReason> = import.skipped.iter().map(|s| &s.reason).collect();
    assert!(matches!(reasons[0], SkipReason::CompanionAttribute { of } if of == "msdyn_company"));
    assert_eq!(
        skipped(&import),
        [
            "account.msdyn_companyname: companion attribute of msdyn_company",
            "account.ownerid: lookup to several tables (systemuser, team); a cached lookup has one target",
            "contact.parentcustomerid: lookup to several tables (account, contact); a cached lookup has one target",
            "contact.parentcustomeridtype: companion attribute of parentcustomerid",
        ]
    );
}

/// A finance and operations `$metadata` document with `count` entity types
/// shaped like real ones: a company key, strings, decimals, enums, access
/// annotations, a lookup to the previous entity and a collection
/// navigation, plus one enum type and the container.
fn generated_csdl(count: usize) -> String {
    let mut xml = String::with_capacity(count * 3_000);
    xml.push_str(concat!(
        r#"<?xml version="1.0" encoding="utf-8"?>"#,
        "\n",
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>"#,
        "\n",
        r#"<Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">"#,
        "\n"
    ));
    for i in 0..count {
        xml.push_str(&format!(
            r#"<EntityType Name="Entity{i}">
  <Key><PropertyRef Name="dataAreaId" /><PropertyRef Name="Code{i}" /></Key>
  <Property Name="dataAreaId" Type="Edm.String" Nullable="false" MaxLength="4" />
  <Property Name="Code{i}" Type="Edm.String" Nullable="false" MaxLength="20" />
  <Property Name="Name" Type="Edm.String" Nullable="false" MaxLength="100">
    <Annotation Term="Microsoft.Dynamics.OData.Core.V1.IsRequired" Bool="true" />
  </Property>
  <Property Name="Notes" Type="Edm.String" />
  <Property Name="Amount" Type="Edm.Decimal" Nullable="false" Precision="32" Scale="6" />
  <Property Name="Quantity" Type="Edm.Int32" Nullable="false" />
  <Property Name="Blocked" Type="Microsoft.Dynamics.DataEntities.NoYes" Nullable="false" />
  <Property Name="ValidFrom" Type="Edm.Date" Nullable="false" />
  <Property Name="ModifiedDateTime" Type="Edm.DateTimeOffset" Nullable="false">
    <Annotation Term="Microsoft.Dynamics.OData.Core.V1.AllowEdit" Bool="false" />
    <Annotation Term="Microsoft.Dynamics.OData.Core.V1.AllowEditOnCreate" Bool="false" />
  </Property>
  <NavigationProperty Name="Parent" Type="Microsoft.Dynamics.DataEntities.Entity{parent}" />
  <NavigationProperty Name="Lines" Type="Collection(Microsoft.Dynamics.DataEntities.Entity{parent})" />
</EntityType>
"#,
            parent = i.saturating_sub(1)
        ));
    }
    xml.push_str(
        "<EnumType Name=\"NoYes\"><Member Name=\"No\" Value=\"0\" /><Member Name=\"Yes\" Value=\"1\" /></EnumType>\n",
    );
    xml.push_str("<EntityContainer Name=\"Resources\">\n");
    for i in 0..count {
        xml.push_str(&format!(
            "<EntitySet Name=\"Entities{i}\" EntityType=\"Microsoft.Dynamics.DataEntities.Entity{i}\" />\n"
        ));
    }
    xml.push_str("</EntityContainer>\n</Schema>\n</edmx:DataServices></edmx:Edmx>\n");
    xml
}

fn dimap(args: &[&str], dir: &Path, stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dimap"))
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn load(path: &Path) -> CachedSchema {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    CachedSchema::from_json(&text, path.to_path_buf()).unwrap_or_else(|p| panic!("{}", p.message))
}

#[test]
fn a_generated_3000_entity_document_imports_and_round_trips() {
    const COUNT: usize = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("metadata.xml");
    std::fs::write(&input, generated_csdl(COUNT)).unwrap();
    let output = dir.path().join("out/contoso-prod.json");
    let started = Instant::now();
    let out = dimap(
        &[
            "schema",
            "import",
            "--from",
            "csdl",
            input.to_str().unwrap(),
            "--environment",
            "contoso-prod",
            "--app",
            "finance_and_operations",
            "--output",
            output.to_str().unwrap(),
        ],
        dir.path(),
        None,
    );
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // One streaming pass: even an unoptimized build takes well under this.
    assert!(elapsed < Duration::from_secs(60), "the import took {elapsed:?}");

    let schema = load(&output);
    assert_eq!(schema.entities().len(), COUNT);
    let app = App::FinanceAndOperations;
    for i in [0, 1, 1_234, COUNT - 1] {
        let entity = schema.entity(&format!("Entities{i}")).unwrap();
        assert_eq!(entity.fields.len(), 10, "{}", entity.name);
        assert_eq!(entity.keys[0].fields, ["dataAreaId".to_string(), format!("Code{i}")]);
        assert_eq!(entity.company_field.as_deref(), Some("dataAreaId"));
        assert!(entity.field(app, &format!("Code{i}")).unwrap().required);
        assert!(entity.field(app, "Name").unwrap().required);
        assert!(!entity.field(app, "Notes").unwrap().required);
        assert!(entity.field(app, "ModifiedDateTime").unwrap().read_only);
        assert_eq!(entity.field(app, "Amount").unwrap().type_label(), "decimal(32,6)");
        assert_eq!(entity.field(app, "Blocked").unwrap().members().count(), 2);
        let parent = format!("Entities{}", i.saturating_sub(1));
        assert_eq!(entity.field(app, "Parent").unwrap().target.as_deref(), Some(parent.as_str()));
    }
    // One collection navigation skipped per entity, and the summary says so.
    let report = stderr(&out);
    assert_eq!(report.lines().filter(|l| l.contains(".Lines: navigation to many records")).count(), COUNT);
    assert!(report.contains("(3000 entities, 30000 fields; 3000 skipped)"), "{report}");
}

#[test]
fn the_binary_imports_csdl_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("fo.json");
    let input = fixture("finance-operations.xml");
    let out = dimap(
        &[
            "schema",
            "import",
            "--from",
            "csdl",
            input.to_str().unwrap(),
            "--environment",
            "contoso-prod",
            "--app",
            "finance_and_operations",
            "--organizations",
            "USMF,DEMF",
            "--output",
            output.to_str().unwrap(),
        ],
        dir.path(),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let report = stderr(&out);
    assert!(report.contains("dimap: skipped CustomersV3.DeliveryWindowStart: type Edm.TimeOfDay"), "{report}");
    assert!(!report.contains('\u{1b}'), "no progress bar off a terminal: {report:?}");
    let schema = load(&output);
    assert_eq!(schema.environment, "contoso-prod");
    assert_eq!(schema.app, App::FinanceAndOperations);
    assert_eq!(schema.organizations, ["USMF", "DEMF"]);
    let refreshed = schema.refreshed.clone().unwrap();
    assert!(refreshed.len() == 20 && refreshed.ends_with('Z') && refreshed.as_bytes()[10] == b'T', "{refreshed}");
    assert!(schema.entity("CustomersV3").is_some());
    // The temporary file is gone.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn the_binary_reads_standard_input_and_writes_to_the_workspace_schema_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dimap.toml"), "").unwrap();
    let maps = dir.path().join("maps");
    std::fs::create_dir_all(&maps).unwrap();
    let json = std::fs::read(fixture("entity-definitions.json")).unwrap();
    let out = dimap(
        &["schema", "import", "--from", "entitydefinitions", "-", "--environment", "contoso-sales"],
        &maps,
        Some(&json),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let schema = load(&dir.path().join(".dimap/schemas/contoso-sales.json"));
    assert_eq!(schema.app, App::Dataverse, "dataverse is the default app");
    assert_eq!(schema.entities().len(), 3);
    assert!(stderr(&out).contains("dimap: skipped contact.parentcustomerid: lookup to several tables"));

    // A schema folder named by dimap.toml is where the checker looks.
    std::fs::write(dir.path().join("dimap.toml"), "schemas = \"caches\"\n").unwrap();
    let xml = std::fs::read(fixture("dataverse.xml")).unwrap();
    let out = dimap(&["schema", "import", "--from", "csdl", "-", "--environment", "contoso-crm"], &maps, Some(&xml));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(load(&dir.path().join("caches/contoso-crm.json")).entities().len(), 4);
}

#[test]
fn bad_metadata_is_a_clear_error_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let run = |from: &str, input: &[u8], extra: &[&str]| {
        let mut args = vec!["schema", "import", "--from", from, "-", "--environment", "e", "--output", "out.json"];
        args.extend_from_slice(extra);
        dimap(&args, dir.path(), Some(input))
    };

    let xml =
        "<edmx:Edmx>\n  <edmx:DataServices>\n    <Schema Namespace=\"N\">\n  </edmx:DataServices>\n</edmx:Edmx>\n";
    let out = run("csdl", xml.as_bytes(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("dimap: cannot import standard input: invalid CSDL at line 4, column 3: "),
        "{}",
        stderr(&out)
    );

    let out = run("csdl", b"<edmx:Edmx><Schema Namespace=\"N\"><EntityType Name=\"A\">", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ends before <EntityType> is closed"), "{}", stderr(&out));

    let out = run("entitydefinitions", b"{\n  \"value\": [ { \"LogicalName\": \"a\", } ]\n}", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid EntityDefinitions JSON at line 2, column "), "{}", stderr(&out));

    let out = run("csdl", &std::fs::read(fixture("entity-definitions.json")).unwrap(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a CSDL document"), "{}", stderr(&out));

    let out = run("csdl", b"", &["--app", "finance_and_operation"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown app \"finance_and_operation\""), "{}", stderr(&out));

    assert!(!dir.path().join("out.json").exists(), "nothing is written on an error");
}
