# async def execute() on the instance's event loop. CMD (STRING [1]) is a JSON command, RESULT
# (STRING [1]) its JSON outcome; decoupled or not by its config (decoupled: each answer goes
# through the response sender, from a task that may outlive execute()).
#   {"op": "overlap", "n": N, "wait": S}  waits until N executes are in flight (at most S seconds),
#                                         answers the most it saw at once
#   {"op": "background", "tag": T}        answers at once; a task logs "tick T" 100 ms later
#   {"op": "later", "n": N}               execute() returns None at once; a task sends N answers
#                                         30 ms apart, then the final flag alone
#   {"op": "task-raise"}                  answers; a task it never awaits raises
#   {"op": "raise", "final": F}           execute() raises (after sending the final flag when F)
#   {"op": "bls", "model": M, "cmd": C}   async_exec(decoupled=True) of C into M; answers M's answers
#   {"op": "bls-later", "model": M}       answers; a task then calls M (its "overlap" with n=1)
#                                         with async_exec() and logs what came back
#   {"op": "return-value"}                answers, and execute() then returns a list, not None
#   {"op": "instance"}                    answers with the instance's name after 50 ms
#   {"op": "hold"}                        a task sends one answer and keeps the sender, never
#                                         sending the final flag
#   {"op": "drop"}                        a task sends one answer and lets the sender go without
#                                         the final flag
import asyncio
import json

import numpy as np
import triton_python_backend_utils as pb_utils

FINAL = pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL


def result(value):
    return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("RESULT", np.array([json.dumps(value)], dtype=np.object_))])


def command(value):
    return pb_utils.Tensor("CMD", np.array([json.dumps(value)], dtype=np.object_))


class TritonPythonModel:
    def initialize(self, args):
        self.decoupled = pb_utils.using_decoupled_model_transaction_policy(json.loads(args["model_config"]))
        self.active = 0
        self.most = 0
        self.tasks = set()
        self.held = []
        self.name = args["model_instance_name"]
        self.return_value = False

    def keep(self, coroutine):
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def execute(self, requests):
        answers = await asyncio.gather(*[self.run(r) for r in requests])
        if not self.decoupled:
            return [result(a) for a in answers]
        for request, answer in zip(requests, answers):
            if answer is not None:
                request.get_response_sender().send(result(answer), flags=FINAL)
        if self.return_value:
            self.return_value = False
            return []
        return None

    async def run(self, request):
        cmd = json.loads(pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0])
        op = cmd["op"]
        if op == "overlap":
            return await self.overlap(cmd["n"], cmd.get("wait", 5))
        if op == "background":
            self.keep(self.tick(cmd["tag"]))
            return "started"
        if op == "later":
            self.keep(self.later(request.get_response_sender(), cmd["n"]))
            return None
        if op == "task-raise":
            asyncio.get_running_loop().create_task(self.fail())
            return "started"
        if op == "raise":
            if cmd.get("final"):
                request.get_response_sender().send(flags=FINAL)
            raise ValueError("wait_secs cannot be negative")
        if op == "bls":
            return await self.bls(cmd["model"], cmd["cmd"])
        if op == "bls-later":
            self.keep(self.bls_later(cmd["model"]))
            return "started"
        if op in ("hold", "drop"):
            self.keep(self.one_answer(request.get_response_sender(), op == "hold"))
            return None
        if op == "instance":
            await asyncio.sleep(0.05)
            return self.name
        if op == "return-value":
            self.return_value = True
            return "answered"
        raise ValueError("unknown op %r" % op)

    async def overlap(self, n, wait):
        self.active += 1
        self.most = max(self.most, self.active)
        try:
            for _ in range(int(wait * 100)):
                if self.most >= n:
                    break
                await asyncio.sleep(0.01)
            return self.most
        finally:
            self.active -= 1
            if self.active == 0:
                self.most = 0

    async def tick(self, tag):
        await asyncio.sleep(0.1)
        pb_utils.Logger.log_info("tick %s" % tag)

    async def later(self, sender, n):
        for i in range(n):
            await asyncio.sleep(0.03)
            sender.send(result(i))
        sender.send(flags=FINAL)

    async def one_answer(self, sender, hold):
        await asyncio.sleep(0.01)
        sender.send(result("one"))
        if hold:
            self.held.append(sender)

    async def fail(self):
        await asyncio.sleep(0.01)
        raise ValueError("boom in a background task")

    async def bls(self, model, cmd):
        request = pb_utils.InferenceRequest(model_name=model, inputs=[command(cmd)], requested_output_names=["RESULT"])
        answers = []
        for response in await request.async_exec(decoupled=True):
            if response.has_error():
                answers.append({"error": response.error().message()})
            elif response.output_tensors():
                answers.append(json.loads(pb_utils.get_output_tensor_by_name(response, "RESULT").as_numpy()[0]))
        return answers

    async def bls_later(self, model):
        await asyncio.sleep(0.05)
        request = pb_utils.InferenceRequest(model_name=model, inputs=[command({"op": "overlap", "n": 1})], requested_output_names=["RESULT"])
        response = await request.async_exec()
        if response.has_error():
            pb_utils.Logger.log_info("bls from a task failed: %s" % response.error().message())
        else:
            pb_utils.Logger.log_info("bls from a task: %s" % pb_utils.get_output_tensor_by_name(response, "RESULT").as_numpy()[0].decode())
