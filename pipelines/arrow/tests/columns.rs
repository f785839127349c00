//! Sealing and opening Arrow columns through the crate's public API, with
//! every value checked against core's own `open` and `seal`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BinaryViewArray, BooleanArray, Float64Array, Int64Array,
    LargeBinaryArray, LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt16Array,
};
use enseal::{ContextTemplate, ErrorCode, KeyPair, Keyring, Opener, Sealer, Suite};
use enseal_arrow::{
    ColumnContext, OpenedForm, SealedForm, Threads, open_column, open_columns, seal_column,
    seal_columns,
};
use std::sync::Arc;

fn keys(suite: Suite) -> (KeyPair, Sealer, Opener) {
    let key = KeyPair::generate(suite).unwrap();
    let sealer = Sealer::new(key.public_key()).unwrap();
    let mut ring = Keyring::new();
    assert!(ring.add(key.clone()));
    (key, sealer, Opener::new(ring))
}

fn ssns(rows: usize) -> StringArray {
    (0..rows)
        .map(|i| (i % 7 != 3).then(|| format!("{:03}-{:02}-{:04}", i % 1000, i % 100, i)))
        .collect()
}

#[test]
fn a_string_column_seals_to_text_forms_that_core_opens_and_nulls_stay_null() {
    let (_, sealer, opener) = keys(Suite::X25519);
    let column = ssns(5000);
    for threads in [1, 2, 3] {
        let sealed = seal_column(
            &sealer,
            "ssn",
            &column,
            &ColumnContext::Fixed(b"patients/ssn"),
            SealedForm::Text,
            Threads::new(threads),
        )
        .unwrap();
        let sealed = sealed.as_string::<i32>();
        assert_eq!(sealed.len(), column.len());
        assert_eq!(sealed.nulls(), column.nulls());
        for row in 0..column.len() {
            if column.is_null(row) {
                assert!(sealed.is_null(row));
                continue;
            }
            assert!(enseal::is_sealed(sealed.value(row)));
            let opened = opener.open(sealed.value(row), "patients/ssn").unwrap();
            assert_eq!(&opened[..], column.value(row).as_bytes());
        }
        let opened = open_column(
            &opener,
            "ssn",
            sealed,
            &ColumnContext::Fixed(b"patients/ssn"),
            OpenedForm::Text,
            Threads::new(threads),
        )
        .unwrap();
        assert_eq!(opened.as_string::<i32>(), &column);
    }
}

#[test]
fn every_byte_layout_is_read_and_the_offsets_width_follows_the_input() {
    let (_, sealer, opener) = keys(Suite::P256);
    let values = [Some("a"), None, Some(""), Some("ü 123")];
    let inputs: Vec<(ArrayRef, bool, bool)> = vec![
        (Arc::new(StringArray::from(values.to_vec())), true, false),
        (
            Arc::new(LargeStringArray::from(values.to_vec())),
            true,
            true,
        ),
        (Arc::new(StringViewArray::from(values.to_vec())), true, true),
        (
            Arc::new(BinaryArray::from(
                values.map(|v| v.map(str::as_bytes)).to_vec(),
            )),
            false,
            false,
        ),
        (
            Arc::new(LargeBinaryArray::from(
                values.map(|v| v.map(str::as_bytes)).to_vec(),
            )),
            false,
            true,
        ),
        (
            Arc::new(BinaryViewArray::from(
                values.map(|v| v.map(str::as_bytes)).to_vec(),
            )),
            false,
            true,
        ),
    ];
    for (input, _, large) in inputs {
        for form in [SealedForm::Text, SealedForm::Binary] {
            let ctx = ColumnContext::Fixed(b"c");
            let sealed = seal_column(&sealer, "v", &input, &ctx, form, Threads::AUTO).unwrap();
            let expected = match (form, large) {
                (SealedForm::Text, false) => arrow_schema::DataType::Utf8,
                (SealedForm::Text, true) => arrow_schema::DataType::LargeUtf8,
                (SealedForm::Binary, false) => arrow_schema::DataType::Binary,
                (SealedForm::Binary, true) => arrow_schema::DataType::LargeBinary,
            };
            assert_eq!(sealed.data_type(), &expected, "{:?}", input.data_type());
            // The empty string is a value: it is sealed, and opens empty.
            assert!(sealed.is_valid(2));
            let opened = open_column(
                &opener,
                "v",
                &sealed,
                &ctx,
                OpenedForm::Binary,
                Threads::AUTO,
            )
            .unwrap();
            for (row, value) in values.iter().enumerate() {
                match value {
                    None => assert!(opened.is_null(row)),
                    Some(v) => {
                        let got = if large {
                            opened.as_binary::<i64>().value(row)
                        } else {
                            opened.as_binary::<i32>().value(row)
                        };
                        assert_eq!(got, v.as_bytes());
                    }
                }
            }
        }
    }
}

#[test]
fn an_empty_column_gives_an_empty_column() {
    let (_, sealer, opener) = keys(Suite::X25519);
    let empty = StringArray::from(Vec::<String>::new());
    let ctx = ColumnContext::Fixed(b"c");
    let sealed = seal_column(&sealer, "v", &empty, &ctx, SealedForm::Text, Threads::AUTO).unwrap();
    assert_eq!(sealed.len(), 0);
    let opened = open_column(&opener, "v", &sealed, &ctx, OpenedForm::Text, Threads::AUTO).unwrap();
    assert_eq!(opened.len(), 0);
}

#[test]
fn a_column_of_another_type_is_a_column_type_error() {
    let (_, sealer, _) = keys(Suite::X25519);
    let numbers = Int64Array::from(vec![1, 2, 3]);
    let error = seal_column(
        &sealer,
        "n",
        &numbers,
        &ColumnContext::Fixed(b"c"),
        SealedForm::Text,
        Threads::AUTO,
    )
    .unwrap_err();
    assert!(
        matches!(error, enseal::Error::ColumnType { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    assert_eq!(
        error.to_string(),
        "column \"n\" is Int64; expected a string or binary column (utf8, large_utf8, utf8_view, binary, large_binary, binary_view; or null)"
    );
}

fn intake(rows: usize) -> RecordBatch {
    let ids: Int64Array = (0..rows as i64).map(|i| Some(8800 + i)).collect();
    let sites: StringArray = (0..rows).map(|i| Some(format!("site{}", i % 3))).collect();
    let dx: StringArray = (0..rows).map(|i| Some(format!("dx-{i}"))).collect();
    RecordBatch::try_from_iter([
        ("patient_id", Arc::new(ids) as ArrayRef),
        ("site", Arc::new(sites) as ArrayRef),
        ("ssn", Arc::new(ssns(rows)) as ArrayRef),
        ("diagnosis", Arc::new(dx) as ArrayRef),
    ])
    .unwrap()
}

#[test]
fn templates_render_per_row_the_record_rule_and_open_back() {
    let (_, sealer, opener) = keys(Suite::X25519);
    let batch = intake(6000);
    let template = ContextTemplate::parse("clinics/{site}/patients/{patient_id}{pointer}").unwrap();
    let columns = [("ssn", &template), ("diagnosis", &template)];
    let sealed = seal_columns(
        &sealer,
        &batch,
        &columns,
        SealedForm::Text,
        16,
        Threads::new(2),
    )
    .unwrap();
    assert_eq!(sealed.schema().field(0), batch.schema().field(0));
    assert_eq!(sealed.column(0), batch.column(0));
    let ssn = sealed.column(2).as_string::<i32>();
    // Row 5 is a record: its context is the template rendered from that row
    // (an integer as its decimal text), its plaintext the value's JSON text
    // padded to 16, so core's record API opens it.
    let context = template
        .render_json(r#"{"site":"site2","patient_id":8805}"#, "/ssn")
        .unwrap();
    assert_eq!(
        &opener.open(ssn.value(5), &context).unwrap()[..],
        b"\"005-05-0005\"   "
    );
    let record = format!(
        r#"{{"site":"site2","patient_id":8805,"ssn":"{}"}}"#,
        ssn.value(5)
    );
    assert_eq!(
        &*opener.open_record(&record, &["/ssn"], &template).unwrap(),
        r#"{"site":"site2","patient_id":8805,"ssn":"005-05-0005"}"#
    );
    // And what core seals as a record opens in a table.
    let clear = r#"{"site":"site0","patient_id":1,"ssn":"a\"b","diagnosis":"x"}"#;
    let by_core = sealer
        .seal_record(clear, &["/ssn", "/diagnosis"], &template)
        .unwrap();
    let value = |name: &str| {
        let at = by_core.find(&format!("\"{name}\":\"")).unwrap() + name.len() + 4;
        by_core[at..at + by_core[at..].find('"').unwrap()].to_owned()
    };
    let one = RecordBatch::try_from_iter([
        (
            "patient_id",
            Arc::new(Int64Array::from(vec![1])) as ArrayRef,
        ),
        (
            "site",
            Arc::new(StringArray::from(vec!["site0"])) as ArrayRef,
        ),
        (
            "ssn",
            Arc::new(StringArray::from(vec![value("ssn")])) as ArrayRef,
        ),
        (
            "diagnosis",
            Arc::new(StringArray::from(vec![value("diagnosis")])) as ArrayRef,
        ),
    ])
    .unwrap();
    let opened = open_columns(&opener, &one, &columns, Threads::AUTO).unwrap();
    assert_eq!(opened.column(2).as_string::<i32>().value(0), "a\"b");
    // A binary column is not a record's value.
    let bytes = RecordBatch::try_from_iter([
        ("site", Arc::new(StringArray::from(vec!["s"])) as ArrayRef),
        (
            "b",
            Arc::new(BinaryArray::from(vec![&b"x"[..]])) as ArrayRef,
        ),
    ])
    .unwrap();
    let t = ContextTemplate::parse("{site}{pointer}").unwrap();
    let error = seal_columns(
        &sealer,
        &bytes,
        &[("b", &t)],
        SealedForm::Text,
        16,
        Threads::AUTO,
    )
    .unwrap_err();
    assert!(matches!(error, enseal::Error::ColumnType { .. }), "{error}");
    // A value does not open under another row's context.
    let other = template
        .render_json(r#"{"site":"site2","patient_id":8806}"#, "/ssn")
        .unwrap();
    assert_eq!(
        opener.open(ssn.value(5), &other).unwrap_err().code(),
        ErrorCode::DecryptFailed
    );
    let opened = open_columns(&opener, &sealed, &columns, Threads::new(2)).unwrap();
    assert_eq!(opened, batch);
}

#[test]
fn template_mistakes_are_refused_before_anything_is_sealed() {
    let (_, sealer, _) = keys(Suite::X25519);
    let batch = intake(10);
    let t = |s: &str| ContextTemplate::parse(s).unwrap();
    let cases: Vec<(Vec<(&str, ContextTemplate)>, &str)> = vec![
        (
            vec![
                ("ssn", t("p/{patient_id}")),
                ("diagnosis", t("p/{patient_id}{pointer}")),
            ],
            "has no {pointer}",
        ),
        (
            vec![
                ("ssn", t("p/{diagnosis}{pointer}")),
                ("diagnosis", t("p/{patient_id}{pointer}")),
            ],
            "is a column being sealed",
        ),
        (
            vec![("ssn", t("p/{mrn}{pointer}"))],
            "the table has no column {mrn}",
        ),
        (
            vec![("ssn", t("p/{/site}{pointer}"))],
            "not by JSON Pointer",
        ),
        (
            vec![("nope", t("p/{site}{pointer}"))],
            "the table has no column \"nope\"",
        ),
        (
            vec![
                ("ssn", t("p/{site}{pointer}")),
                ("ssn", t("p/{site}{pointer}")),
            ],
            "named twice",
        ),
    ];
    for (columns, says) in cases {
        let columns: Vec<(&str, &ContextTemplate)> = columns.iter().map(|(n, t)| (*n, t)).collect();
        let error = seal_columns(
            &sealer,
            &batch,
            &columns,
            SealedForm::Text,
            16,
            Threads::AUTO,
        )
        .unwrap_err();
        assert!(error.to_string().contains(says), "{error} / {says}");
    }
    // A float column gives no stable text for a context.
    let floats = RecordBatch::try_from_iter([
        ("x", Arc::new(Float64Array::from(vec![1.5])) as ArrayRef),
        ("v", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
    ])
    .unwrap();
    let template = t("p/{x}{pointer}");
    let error = seal_columns(
        &sealer,
        &floats,
        &[("v", &template)],
        SealedForm::Text,
        16,
        Threads::AUTO,
    )
    .unwrap_err();
    assert!(
        matches!(error, enseal::Error::ColumnType { ref column, .. } if column == "x"),
        "{error}"
    );
}

#[test]
fn a_null_context_field_fails_its_row_unless_the_value_is_null() {
    let (_, sealer, _) = keys(Suite::X25519);
    let batch = |ids: Vec<Option<u16>>, values: Vec<Option<&str>>| {
        RecordBatch::try_from_iter([
            ("id", Arc::new(UInt16Array::from(ids)) as ArrayRef),
            (
                "ok",
                Arc::new(BooleanArray::from(vec![Some(true); values.len()])) as ArrayRef,
            ),
            ("v", Arc::new(StringArray::from(values)) as ArrayRef),
        ])
        .unwrap()
    };
    let template = ContextTemplate::parse("p/{id}/{ok}{pointer}").unwrap();
    let rows = batch(
        vec![Some(1), None, Some(3)],
        vec![Some("a"), Some("b"), Some("c")],
    );
    let error = seal_columns(
        &sealer,
        &rows,
        &[("v", &template)],
        SealedForm::Text,
        16,
        Threads::AUTO,
    )
    .unwrap_err();
    assert_eq!(error.batch_index(), Some(1));
    assert_eq!(error.code(), ErrorCode::InvalidTemplate);
    assert_eq!(
        error.to_string(),
        "batch value 1: value at /v: context template: field {id} is null"
    );
    let rows = batch(
        vec![Some(1), None, Some(3)],
        vec![Some("a"), None, Some("c")],
    );
    let sealed = seal_columns(
        &sealer,
        &rows,
        &[("v", &template)],
        SealedForm::Text,
        16,
        Threads::AUTO,
    )
    .unwrap();
    assert!(sealed.column(2).is_null(1));
}

#[test]
fn a_failing_row_fails_the_column_with_its_row_and_code() {
    let (_, sealer, opener) = keys(Suite::X25519);
    let column = ssns(9000);
    let ctx = ColumnContext::Fixed(b"c");
    let sealed = seal_column(
        &sealer,
        "ssn",
        &column,
        &ctx,
        SealedForm::Text,
        Threads::AUTO,
    )
    .unwrap();
    let mut texts: Vec<Option<String>> = sealed
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect();
    // Row 7777 (in the second thread's run) is cut short.
    let bad = texts[7777].as_mut().unwrap();
    bad.truncate(bad.len() - 4);
    let tampered = StringArray::from(texts);
    let error = open_column(
        &opener,
        "ssn",
        &tampered,
        &ctx,
        OpenedForm::Text,
        Threads::new(2),
    )
    .unwrap_err();
    assert_eq!(error.batch_index(), Some(7777));
    assert_eq!(error.code(), ErrorCode::DecryptFailed);
    assert!(
        error
            .to_string()
            .starts_with("batch value 7777: value at /ssn:"),
        "{error}"
    );
    // A clear value in a sealed column, and a key not in the keyring.
    let clear = StringArray::from(vec!["123-45-6789"]);
    let error = open_column(
        &opener,
        "ssn",
        &clear,
        &ctx,
        OpenedForm::Text,
        Threads::AUTO,
    )
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::BadPrefix);
    let (_, stranger, _) = keys(Suite::X25519);
    let foreign = seal_column(
        &stranger,
        "ssn",
        &column,
        &ctx,
        SealedForm::Text,
        Threads::AUTO,
    )
    .unwrap();
    let error = open_column(
        &opener,
        "ssn",
        &foreign,
        &ctx,
        OpenedForm::Text,
        Threads::AUTO,
    )
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::UnknownKey);
}

#[test]
fn binary_plaintext_that_is_not_utf8_opens_as_binary_only() {
    let (_, sealer, opener) = keys(Suite::X25519);
    let column = BinaryArray::from(vec![&b"ok"[..], &[0xff, 0xfe][..]]);
    let ctx = ColumnContext::Fixed(b"c");
    let sealed = seal_column(
        &sealer,
        "b",
        &column,
        &ctx,
        SealedForm::Binary,
        Threads::AUTO,
    )
    .unwrap();
    let error =
        open_column(&opener, "b", &sealed, &ctx, OpenedForm::Text, Threads::AUTO).unwrap_err();
    assert_eq!(error.batch_index(), Some(1));
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    let opened = open_column(
        &opener,
        "b",
        &sealed,
        &ctx,
        OpenedForm::Binary,
        Threads::AUTO,
    )
    .unwrap();
    assert_eq!(opened.as_binary::<i32>(), &column);
}

#[test]
fn a_column_of_many_sessions_opens_across_threads() {
    // One sealer per row: every row is its own session (a day of web forms).
    let key = KeyPair::generate(Suite::P256).unwrap();
    let rows = 4200;
    let texts: Vec<String> = (0..rows)
        .map(|i| {
            Sealer::new(key.public_key())
                .unwrap()
                .seal(format!("v{i}").as_bytes(), "c")
                .unwrap()
        })
        .collect();
    let column = StringArray::from(texts);
    let mut ring = Keyring::new();
    assert!(ring.add(key));
    let opener = Opener::new(ring);
    let opened = open_column(
        &opener,
        "v",
        &column,
        &ColumnContext::Fixed(b"c"),
        OpenedForm::Text,
        Threads::new(2),
    )
    .unwrap();
    let expected: StringArray = (0..rows).map(|i| Some(format!("v{i}"))).collect();
    assert_eq!(opened.as_string::<i32>(), &expected);
}

#[test]
fn enseal_threads_must_be_a_positive_number() {
    // The only test that sets the variable; Threads::new never reads it.
    // Edition 2024 makes set_var unsafe (and unsafe is denied): the variable
    // is set for a child run of this test binary instead.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "threads_from_env_child", "--nocapture"])
        .env("ENSEAL_THREADS", "zero")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn threads_from_env_child() {
    match std::env::var("ENSEAL_THREADS").as_deref() {
        Ok("zero") => {
            let error = Threads::AUTO.resolve().unwrap_err();
            assert_eq!(
                error.to_string(),
                "invalid argument: ENSEAL_THREADS must be a positive integer"
            );
            assert_eq!(Threads::new(3).resolve().unwrap(), 3);
        }
        _ => assert!(Threads::AUTO.resolve().unwrap() >= 1),
    }
}

#[test]
fn chunks_number_their_rows_in_the_whole_column_and_open_all_or_nothing() {
    let (_, sealer, opener) = keys(Suite::X25519);
    let chunks: Vec<ArrayRef> = vec![Arc::new(ssns(10)), Arc::new(ssns(0)), Arc::new(ssns(10))];
    let sealed = enseal_arrow::seal_chunks(
        &sealer,
        "ssn",
        &chunks,
        b"c",
        SealedForm::Text,
        Threads::AUTO,
    )
    .unwrap();
    assert_eq!(
        sealed.iter().map(|c| c.len()).collect::<Vec<_>>(),
        [10, 0, 10]
    );
    let opened = enseal_arrow::open_chunks(
        &opener,
        "ssn",
        &sealed,
        b"c",
        OpenedForm::Text,
        Threads::AUTO,
    )
    .unwrap();
    assert_eq!(opened[2].as_string::<i32>(), &ssns(10));
    // Row 3 of the third chunk is row 13 of the column.
    let mut last: Vec<Option<String>> = sealed[2]
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect();
    last[4] = Some(last[4].take().unwrap().replace('A', "B"));
    let tampered: Vec<ArrayRef> = vec![
        sealed[0].clone(),
        sealed[1].clone(),
        Arc::new(StringArray::from(last)),
    ];
    let error = enseal_arrow::open_chunks(
        &opener,
        "ssn",
        &tampered,
        b"c",
        OpenedForm::Text,
        Threads::AUTO,
    )
    .unwrap_err();
    assert_eq!(error.batch_index(), Some(14), "{error}");
}

#[test]
fn a_column_of_nulls_only_stays_null() {
    let (_, sealer, opener) = keys(Suite::X25519);
    let nulls = arrow_array::NullArray::new(3);
    let ctx = ColumnContext::Fixed(b"c");
    let sealed = seal_column(&sealer, "v", &nulls, &ctx, SealedForm::Text, Threads::AUTO).unwrap();
    assert_eq!(
        (sealed.data_type(), sealed.null_count()),
        (&arrow_schema::DataType::Utf8, 3)
    );
    let opened = open_column(&opener, "v", &nulls, &ctx, OpenedForm::Text, Threads::AUTO).unwrap();
    assert_eq!(opened.null_count(), 3);
}

#[test]
fn a_table_template_needs_its_pointer_and_padding_is_bounded() {
    let (_, sealer, _) = keys(Suite::X25519);
    let batch = intake(5);
    let no_pointer = ContextTemplate::parse("p/{patient_id}").unwrap();
    let error = seal_columns(
        &sealer,
        &batch,
        &[("ssn", &no_pointer)],
        SealedForm::Text,
        16,
        Threads::AUTO,
    )
    .unwrap_err();
    assert!(error.to_string().contains("has no {pointer}"), "{error}");
    let template = ContextTemplate::parse("p/{patient_id}{pointer}").unwrap();
    let error = seal_columns(
        &sealer,
        &batch,
        &[("ssn", &template)],
        SealedForm::Text,
        1 << 40,
        Threads::AUTO,
    )
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    assert_eq!(error.batch_index(), None);
    let padded = seal_columns(
        &sealer,
        &batch,
        &[("ssn", &template)],
        SealedForm::Binary,
        1 << 16,
        Threads::AUTO,
    )
    .unwrap();
    // The binary form's body holds the padded plaintext: 65536 bytes and more.
    assert!(padded.column(2).as_binary::<i32>().value(0).len() > 1 << 16);
}
