package io.github.taskstatus.client;

/** Starts one task: through the starter function, or through the queue in queue mode. */
interface TaskStarter {

  /**
   * Starts the task once more.
   *
   * @param taskId a valid task id
   * @return what was started or sent
   */
  TaskStart start(String taskId);
}
