using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Warehouse.Api;

/// <summary>Builds the web application: JSON endpoints over the marts, OpenAPI, Swagger UI at /docs, the dashboard at /.</summary>
public static class ApiHost
{
    public const string OpenApiPath = "/openapi.json";

    /// <param name="args">Command-line style configuration (e.g. <c>--urls</c>).</param>
    /// <param name="configure">Last word on the builder, e.g. settings given in code by <c>warehouse serve</c>.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.Services.Configure<ApiSettings>(builder.Configuration.GetSection(ApiSettings.Section));
        // Settings are read when first needed, not here: WebApplicationFactory adds its configuration after this point.
        builder.Services.AddSingleton(services =>
        {
            var settings = services.GetRequiredService<IOptions<ApiSettings>>().Value;
            if (string.IsNullOrEmpty(settings.ConnectionString))
            {
                throw new InvalidOperationException($"{ApiSettings.Section}:ConnectionString is not set");
            }
            return NpgsqlDataSource.Create(settings.ConnectionString);
        });
        builder.Services.AddSingleton<MartQueries>();
        builder.Services.AddSingleton<TopCampaignQueries>();
        builder.Services.AddSingleton<HealthCheck>();

        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseExceptionHandler>();
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Warehouse marts API";
                document.Info.Description = "Read-only JSON over the warehouse marts. Errors are RFC 7807 problem+json.";
                document.Info.Version = "1";
                return Task.CompletedTask;
            });
        });

        var app = builder.Build();

        // Explicitly, and first: whatever the environment, errors are problem+json without exception details.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next(context);
        });

        var webRoot = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = webRoot });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = webRoot });

        app.MapOpenApi(OpenApiPath);
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "docs";
            options.SwaggerEndpoint(OpenApiPath, "Warehouse marts API");
            options.DocumentTitle = "Warehouse marts API";
        });

        MartEndpoints.Map(app);
        TopCampaignsEndpoint.Map(app);
        return app;
    }
}

/// <summary>
/// Turns a failure to reach the database into 503 and anything else into a bare 500, both problem+json. The body never
/// carries the exception's text: Npgsql messages can name hosts, users and SQL.
/// </summary>
internal sealed partial class DatabaseExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var unavailable = exception is NpgsqlException { IsTransient: true } or TimeoutException
            || exception is NpgsqlException and not PostgresException
            || exception is Warehouse.Core.WarehouseException;
        // Handled exceptions are not logged by the middleware (ASP.NET Core 10); the operator still needs them.
        LogFailure(logger, context.Request.Path, exception);
        context.Response.StatusCode = unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = context.Response.StatusCode,
                Title = unavailable ? "Database unavailable" : "Unexpected error",
                Detail = unavailable
                    ? "The warehouse database could not be reached; try again later."
                    : "The request failed on the server; the error has been logged.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "request {Path} failed")]
    private static partial void LogFailure(ILogger logger, PathString path, Exception exception);
}
