# Multi-stage build: Maven builds the server jar, a JRE runs it.
#   docker build -t helix-pekko:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 helix
WORKDIR /app
COPY --from=build /src/agents/target/helix-server.jar /app/helix-server.jar
USER 10001
# HTTP API, health (/ready, /alive), cluster remoting
EXPOSE 8080 8558 25520
ENV HELIX_DATA_DIR=/tmp/helix-data
# Each SSE/WebSocket subscriber holds a connection and a file descriptor: run the container with a
# limit above helix.http.max-connections (16384 by default), e.g. docker run --ulimit nofile=65536
ENTRYPOINT ["java", "-jar", "/app/helix-server.jar"]
