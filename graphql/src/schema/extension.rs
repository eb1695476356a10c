//! What every request goes through: personal-data reads recorded before the
//! answer leaves, and an `extensions.code` on every error.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextRequest, NextSubscribe,
};
use async_graphql::{Context, Data, ErrorExtensions, Response, ServerError, Value};
use domain::audit::PersonalDataRead;
use domain::ids::PersonId;
use futures::StreamExt;
use futures::stream::BoxStream;
use parking_lot::Mutex;

use crate::app::App;
use crate::error::{ApiError, Code};
use crate::guard::Viewer;

/// The persons whose personal data one operation shows, collected while it
/// resolves and recorded before its answer is returned.
#[derive(Default)]
pub struct PersonalReads(Mutex<HashSet<PersonId>>);

/// Checks that the viewer may see personal data and notes that `person`'s is
/// shown. Every resolver of a personal field calls it first.
///
/// # Errors
/// `FORBIDDEN` for a viewer who may not see personal data (nulls are not
/// enough: an ANALYST asking for a name is refused).
pub fn show_personal(ctx: &Context<'_>, person: PersonId) -> Result<(), ApiError> {
    let viewer = super::viewer(ctx);
    if !viewer.sees_personal_data() {
        return Err(ApiError::Forbidden(
            "personal data is not shown to this role".into(),
        ));
    }
    match ctx.data_opt::<Arc<PersonalReads>>() {
        Some(reads) => {
            reads.0.lock().insert(person);
            Ok(())
        }
        // Outside an operation that records reads (e.g. a subscription event
        // rendered without one), fail closed.
        None => Err(ApiError::Internal(
            "personal data requested where its read cannot be recorded".into(),
        )),
    }
}

/// The extension factory to register on the schema.
pub struct Reestr;

impl ExtensionFactory for Reestr {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Reestr)
    }
}

#[async_trait::async_trait]
impl Extension for Reestr {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            with_code(error);
        }
        response
    }

    /// A subscription's responses do not pass through `request`: each gets its
    /// codes here.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                for error in &mut response.errors {
                    with_code(error);
                }
                response
            })
            .boxed()
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let reads = Arc::new(PersonalReads::default());
        let mut data = Data::default();
        data.insert(Arc::clone(&reads));
        let response = next.run_with_data(ctx, operation_name, data).await;
        let persons: Vec<PersonId> = reads.0.lock().drain().collect();
        if persons.is_empty() {
            return response;
        }
        let (Some(app), Some(Viewer::Holder(holder))) =
            (ctx.data_opt::<App>(), ctx.data_opt::<Viewer>())
        else {
            return refused(ApiError::Internal(
                "no viewer to record the read for".into(),
            ));
        };
        let entries = persons
            .into_iter()
            .map(|person| PersonalDataRead {
                viewer: holder.user_id,
                person,
            })
            .collect();
        match app.reads.record(entries).await {
            Ok(()) => response,
            // Not recorded, not shown: the answer is withheld.
            Err(error) => refused(error),
        }
    }
}

/// A response carrying only `error`.
fn refused(error: ApiError) -> Response {
    Response::from_errors(vec![error.server_error()])
}

/// Gives every error its `extensions.code`: a resolver's [`ApiError`] (which
/// async-graphql keeps as the error's source) its own code and rule; whatever
/// async-graphql refuses before a resolver runs (syntax, unknown fields, bad
/// variables and enum values, limits) is bad input: `VALIDATION`.
fn with_code(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some());
    if has_code {
        return;
    }
    if let Some(api_error) = error.source::<ApiError>() {
        error.extensions = api_error.extend().extensions;
        return;
    }
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", Value::String(Code::Validation.as_str().into()));
}
