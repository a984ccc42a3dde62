package io.analyticsetl.testkit;

import java.lang.reflect.Method;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

/**
 * Runs Beam's {@link TestPipeline} (a JUnit 4 rule) under JUnit 5: a test method declares a
 * {@code TestPipeline} parameter and the rule wraps the method, so the usual checks apply (the
 * pipeline must be run, every PAssert must have been evaluated, DirectRunner immutability and
 * encodability enforcement stay on).
 */
public final class TestPipelineExtension implements ParameterResolver, InvocationInterceptor {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(TestPipelineExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestPipeline.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "pipeline",
            key -> TestPipeline.create().enableAbandonedNodeEnforcement(true),
            TestPipeline.class);
  }

  @Override
  public void interceptTestMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    TestPipeline pipeline = context.getStore(NAMESPACE).get("pipeline", TestPipeline.class);
    if (pipeline == null) {
      invocation.proceed();
      return;
    }
    Statement body =
        new Statement() {
          @Override
          public void evaluate() throws Throwable {
            invocation.proceed();
          }
        };
    Description description =
        Description.createTestDescription(
            context.getRequiredTestClass(), context.getRequiredTestMethod().getName());
    pipeline.apply(body, description).evaluate();
  }
}
