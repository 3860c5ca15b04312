# PromptHub API image. Build: docker build -t prompthub .   Run with a database: docker compose up
# The app needs ConnectionStrings__PromptHub in a container (there is no embedded PostgreSQL here).
# Health check: `dotnet /app/PromptHub.Api.dll check-health` (docker-compose.yml uses it; no curl in this image).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first: the restore layer is cached until a dependency changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/PromptHub/PromptHub.csproj src/PromptHub/
COPY src/PromptHub.Api/PromptHub.Api.csproj src/PromptHub.Api/
COPY migrations/PromptHub.Migrations.csproj migrations/
RUN dotnet restore src/PromptHub.Api/PromptHub.Api.csproj
COPY src/ src/
COPY migrations/ migrations/
RUN dotnet publish src/PromptHub.Api -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's default ASPNETCORE_HTTP_PORTS is cleared so that ASPNETCORE_URLS alone decides (no override warning).
ENV ASPNETCORE_HTTP_PORTS="" \
    ASPNETCORE_URLS=http://+:8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
# The non-root `app` user that the .NET images provide.
USER $APP_UID
ENTRYPOINT ["dotnet", "PromptHub.Api.dll"]
