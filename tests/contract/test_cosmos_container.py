"""Cosmos DB only: the container a store opens has the indexes its queries need."""

from __future__ import annotations

from azure.cosmos import PartitionKey
from azure.cosmos.aio import CosmosClient

from store.factory import cosmos_store
from tests.contract import builders as b
from tests.fixtures.cosmos import CosmosServer


async def test_cosmos_open_gives_an_older_container_the_composite_indexes(
    cosmos_server: CosmosServer,
) -> None:
    database = cosmos_server.new_database()
    async with CosmosClient(cosmos_server.endpoint, cosmos_server.key, connection_verify=False) as client:
        created = await client.create_database(database)
        # As a release without composite indexes would have left it.
        await created.create_container("records", partition_key=PartitionKey(path="/pk"))
        store = cosmos_store(cosmos_server.endpoint, cosmos_server.key, database, verify_tls=False)
        await store.open()
        try:
            async with store.unit_of_work("org-a") as uow:
                case = b.case("org-a", "box@x.se", assignee_id="me")
                uow.cases.add(case)
                await uow.commit()
                page = await uow.cases.list("box@x.se", member_id="me", assigned="me", status="open", limit=5)
            assert page.items == [case]
        finally:
            await store.close()
            await client.delete_database(database)
