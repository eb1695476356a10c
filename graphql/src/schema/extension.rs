//! What every request goes through: the depth limit (introspection not
//! counted, see [`depth`](crate::schema::depth)), the operation's
//! personal-data reads (the application layer's
//! [`PersonalReads`](app::PersonalReads)) recorded before the answer leaves,
//! and an `extensions.code` on every error.

use std::sync::Arc;

use app::{App, Viewer};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
    NextSubscribe,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Data, ErrorExtensions, Response, ServerError, ServerResult, Value, Variables};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::error::{ApiError, Code};

/// The extension factory to register on the schema, with the deepest
/// nesting of the registry's fields a query may have.
pub struct Reestr {
    /// Deepest nesting, introspection fields not counted.
    pub depth: usize,
}

impl ExtensionFactory for Reestr {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Reestr { depth: self.depth })
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

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        crate::schema::depth::check(&document, self.depth)?;
        Ok(document)
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
        let Some(app) = ctx.data_opt::<App>() else {
            return next.run(ctx, operation_name).await;
        };
        const ANONYMOUS: &Viewer = &Viewer::Anonymous;
        let viewer = ctx.data_opt::<Viewer>().unwrap_or(ANONYMOUS);
        // The operation's personal-data reads, noted by the resolvers of
        // personal fields and recorded before the answer leaves.
        let reads = Arc::new(app.personal_reads(viewer));
        let mut data = Data::default();
        data.insert(Arc::clone(&reads));
        let response = next.run_with_data(ctx, operation_name, data).await;
        match reads.record().await {
            Ok(()) => response,
            // Not recorded, not shown: the answer is withheld.
            Err(error) => refused(ApiError(error)),
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
