/**
 * MCP servers as tool sources: {@link io.helix.mcp.McpTools#server} starts (or connects to) a
 * server described by an {@link io.helix.mcp.McpServerConfig} and returns an {@link
 * io.helix.mcp.McpToolSource}, an {@link io.helix.agent.ToolSource} whose tools are the server's,
 * named {@code <server>__<tool>}.
 *
 * <h2>Why the official MCP Java SDK</h2>
 *
 * The client is the official SDK's ({@code io.modelcontextprotocol.sdk:mcp-core} with {@code
 * mcp-json-jackson2}), not LangChain4j's MCP client:
 *
 * <ul>
 *   <li>It is asynchronous ({@code McpAsyncClient}, Reactor): a tool call never holds a thread,
 *       least of all an actor's, and cancelling it is disposing a subscription.
 *   <li>It exposes what this module needs of the protocol: {@code _meta} on {@code tools/call}
 *       (the run's idempotency key), {@code isError} and {@code structuredContent} of a result,
 *       the raw input schemas, {@code notifications/tools/list_changed}, and its transports are
 *       pluggable ({@code McpClientTransport}), so the stdio one here can own and watch the
 *       server's process. LangChain4j's client wraps all of this into its own tool model
 *       (ToolSpecification, a blocking {@code executeTool} returning text), which is the shape of
 *       LangChain4j's AI services, not of this runtime's {@link io.helix.agent.Tool}.
 *   <li>It tracks the specification first (Streamable HTTP, protocol 2025-11-25), comes from the
 *       protocol's maintainers and has stable releases; {@code langchain4j-mcp} is published as
 *       beta versions beside the LangChain4j BOM. helix-providers' use of LangChain4j is for
 *       model APIs only.
 * </ul>
 *
 * Its Jackson: the SDK's {@code mcp} artifact brings {@code mcp-json-jackson3} (Jackson 3 and
 * json-schema-validator 3.x). This module takes {@code mcp-core} and {@code mcp-json-jackson2}
 * instead, so it runs on the project's one Jackson 2 (the root pom's BOM); the SDK's schema
 * validator (json-schema-validator 2.x) is left out for the project's own ({@code JsonValidator}).
 *
 * <h2>What the module adds to the SDK</h2>
 *
 * A stdio transport that owns the server's process (clean environment, process id, exit
 * noticed at once), restarts with a backoff, the tool list kept current, and the mapping of MCP
 * tools and results onto the runtime's tools: a result's {@code structuredContent}, else its
 * text, else its content blocks, becomes the tool's JSON result; {@code isError}, a JSON-RPC
 * error, a dead server or no answer in time becomes a failed tool call with a clear message.
 */
package io.helix.mcp;
