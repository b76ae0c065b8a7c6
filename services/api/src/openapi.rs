//! The OpenAPI document (`GET /v1/openapi.json`), generated from the
//! handlers' `#[utoipa::path]` attributes and the types they take and give,
//! so it cannot drift from the code; CI checks it with an OpenAPI
//! validator we did not write (`tests/api.rs`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::jobs;
use crate::problem::ProblemDocument;
use crate::records;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rapporteur API",
        description = "Turns event session summaries into PDF, DOCX and JSON: submit jobs, follow their state, download their outputs. Errors are RFC 9457 problem details carrying README's error codes."
    ),
    paths(jobs::submit, jobs::status, jobs::output),
    components(schemas(
        ProblemDocument,
        jobs::SubmitJson,
        jobs::DocumentJson,
        jobs::WebhookJson,
        jobs::SubmitForm,
        jobs::Accepted,
        jobs::AcceptedJob,
        jobs::Waited,
        records::JobView,
        records::State,
        records::OutputView,
        records::ErrorView,
        records::ArchiveView,
    )),
    modifiers(&ApiKeyAuth)
)]
pub struct ApiDoc;

/// The API key scheme: `Authorization: Bearer <key>`.
struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key from the keys file (README \"The HTTP API\")",
                    ))
                    .build(),
            ),
        );
    }
}

pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document always serializes")
}
