//! The model's JSON Schema holds integrators to the contract. (That the
//! published copy under schema/ equals the code is checked with the other
//! published schemas in services/cli/tests/schemas.rs.)

#[test]
fn schema_is_a_valid_json_schema_that_rejects_renamed_fields() {
    let schema: serde_json::Value = serde_json::from_str(&rapporteur_model::json_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let minimal = serde_json::json!({
        "schema_version": "1.1",
        "event": { "type": null, "title": "T", "date": "2023-01-31", "end_date": null,
                   "start_time": "14:30", "end_time": null, "timezone": null,
                   "session_code": null, "venue": null },
        "language": "en", "background": [], "key_issues": [], "recommendations": [],
        "other_sections": [],
        "lineup": { "organizers": [], "moderators": [], "rapporteurs": [], "speakers": [] },
        "source": { "name": "a.txt", "sha256": "0".repeat(64), "bytes": 1, "format": "text" },
        "warnings": []
    });
    assert!(validator.is_valid(&minimal));
    let mut renamed = minimal.clone();
    renamed["event"]["kind"] = renamed["event"]["type"].take();
    renamed["event"].as_object_mut().unwrap().remove("type");
    assert!(!validator.is_valid(&renamed));
    let mut missing = minimal.clone();
    missing["event"].as_object_mut().unwrap().remove("timezone");
    assert!(
        !validator.is_valid(&missing),
        "null fields must still be present"
    );
    let mut bad_time = minimal;
    bad_time["event"]["start_time"] = "2:30 PM".into();
    assert!(!validator.is_valid(&bad_time));
}
